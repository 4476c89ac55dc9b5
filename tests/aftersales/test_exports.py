"""The SLA metrics export: numbers are numbers, the chosen month, region and grouping are in the
title row, the header is bold and frozen, the sheets have Chinese names."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from pmis.org.models import Region

from .test_views import _tickets

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def june(time_machine):
    """The tickets are reported on 2026-06-01 09:00; the clock stands an hour later."""
    time_machine.move_to(datetime(2026, 6, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")))


def test_metrics_export_reads_like_a_report(client, org, project):
    _tickets(org, project, 2)
    client.force_login(org["aftersales_manager"])
    region = Region.objects.get(pk=project.region_id)
    params = {"month": "2026-06", "region": region.pk, "group_by": "assignee", "export": "xlsx"}
    response = client.get(reverse("aftersales:metrics"), params)
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["SLA 指标", "口径说明"]
    sheet = workbook["SLA 指标"]
    title = sheet["A1"].value
    for part in ("SLA 指标", "月份：2026年06月", f"区域：{region.name}", "分组：按处理人", "导出时间："):
        assert part in title, part
    assert sheet["A2"].value == "分组" and all(cell.font.b for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    total = list(sheet.iter_rows(min_row=3, values_only=True))[-1]
    assert total[0] == "合计" and total[1] == 2 and isinstance(total[1], int)
    assert sheet.cell(row=sheet.max_row, column=2).data_type == "n"
    assert sheet.column_dimensions["D"].width >= len("未解决但已超时") * 2
