"""An exported list reads like a report: a title row stating the list, its filters (with the
labels the user chose, not codes), the sort and the export time; a bold header row frozen under
it; columns as wide as their content; real Excel dates in China time; a Chinese sheet name."""

import io
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def _export(client, params):
    response = client.get(reverse("projects:all"), {**params, "export": "xlsx"})
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content)).active


def test_the_title_row_states_the_list_its_filters_and_sort(client, org, project):
    client.force_login(org["project_director"])
    sheet = _export(
        client, {"q": "轨道", "region": project.region.pk, "state": "initiated", "kind": "local", "sort": "-created"}
    )
    assert sheet.title == "项目列表"
    title = sheet["A1"].value
    for part in (
        "项目列表",
        "范围：全部项目",
        "项目编号 / 名称 / 客户：“轨道”",
        f"区域：{project.region.name}",
        "阶段：已立项",
        "类别：本地化项目",
        "排序：立项时间（降序）",
        "导出时间：",
        "共 1 行",
    ):
        assert part in title, part
    assert "initiated" not in title and "local" not in title  # labels, not codes
    assert sheet["A1"].font.b


def test_the_header_row_is_bold_and_frozen_and_columns_fit_their_content(client, org, project):
    client.force_login(org["project_director"])
    sheet = _export(client, {})
    headers = [cell.value for cell in sheet[2]]
    assert headers[:3] == ["项目编号", "项目名称", "类别"]
    assert all(cell.font.b for cell in sheet[2])
    assert sheet.freeze_panes == "A3"  # the title and header stay when scrolling
    widths = {header: sheet.column_dimensions[chr(ord("A") + i)].width for i, header in enumerate(headers)}
    # 某某市轨道交通集团有限公司电子签章项目: 19 CJK characters, each two columns wide
    assert widths["项目名称"] >= 38 and widths["项目名称"] > widths["类别"]
    assert widths["立项时间"] >= len("2026-01-01 00:00")


def test_dates_are_excel_dates_in_china_time(client, org, project):
    client.force_login(org["project_director"])
    sheet = _export(client, {})
    headers = [cell.value for cell in sheet[2]]
    cell = sheet.cell(row=3, column=headers.index("立项时间") + 1)
    assert cell.is_date and isinstance(cell.value, datetime)
    assert cell.number_format == "yyyy-mm-dd hh:mm"
    project.refresh_from_db()
    expected = timezone.localtime(project.created_at).replace(tzinfo=None)
    assert abs((cell.value - expected).total_seconds()) < 1
