from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from planning.models import PlanItem, ProjectRaci, Risk
from planning.plan import plan_item_add
from planning.risks import risk_raise
from tests.dates import days_from_today

pytestmark = pytest.mark.django_db


def tab(project, slug):
    return reverse("projects:tab", args=[project.pk, slug])


def _xlsx(rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("计划.xlsx", buffer.getvalue())


def test_every_planning_tab_renders_for_the_team_and_reads_for_the_director(client, project, pm, org):
    today = timezone.localdate()
    plan_item_add(project=project, actor=pm, name="部署", planned_start=today - timedelta(days=5),
                  planned_end=today - timedelta(days=1))  # fmt: skip
    risk_raise(project=project, actor=pm, source="customer", description="客户环境未就绪", probability=3,
               impact=3, strategy="mitigate", owner=pm)  # fmt: skip
    client.force_login(pm)
    for slug, text in (
        ("plan", "甘特图"),
        ("risks", "客户环境未就绪"),
        ("raci", "按公司模板"),
        ("reports", "生成草稿"),
    ):
        body = client.get(tab(project, slug)).content.decode()
        assert text in body, slug
    plan = client.get(tab(project, "plan"), HTTP_HX_REQUEST="true").content.decode()
    assert "<svg" in plan and "延期" in plan and "添加计划项" in plan and "<html" not in plan
    client.force_login(org["product_dept"])  # on the project through its group: reads, does not edit
    plan = client.get(tab(project, "plan")).content.decode()
    assert "<svg" in plan and "添加计划项" not in plan
    client.force_login(org["sales2"])
    assert client.get(tab(project, "plan")).status_code == 404


def test_adding_an_item_from_the_tab_and_a_refusal_keeps_what_was_typed(client, project, pm):
    client.force_login(pm)
    url = reverse("planning:plan_add", args=[project.pk])
    response = client.post(url, {"name": "环境准备", "kind": "task", "status": "planned",
                                 "planned_start": days_from_today(1), "planned_end": days_from_today(5)})  # fmt: skip
    assert response.status_code == 302 and response.url.startswith(tab(project, "plan"))
    first = PlanItem.objects.get(project=project)
    response = client.post(url, {"name": "系统联调", "kind": "task", "status": "planned", "predecessors": "1",
                                 "planned_start": days_from_today(2), "planned_end": days_from_today(9)})  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200 and "开始日期须晚于前置任务「环境准备」" in body
    assert 'value="系统联调"' in body and f'value="{days_from_today(9)}"' in body
    assert PlanItem.objects.filter(project=project).count() == 1
    assert first.name == "环境准备"


def test_the_plan_round_trips_through_excel_and_import_errors_name_their_rows(client, project, pm):
    client.force_login(pm)
    url = reverse("planning:plan_import", args=[project.pk])
    bad = _xlsx([
        ["编号", "工作任务", "开始时间", "结束时间", "前置任务", "状态", "客户负责人", "供应商负责人"],
        [1, "智慧消防", None, None, None, None, None, None],
        [None, "消防主机对接", "2027年5月10日", "2027年5月21日", None, "计划中", "覃一瀛", "金怡冬"],
        [None, "告警联动测试", "2027-05-24", "2027-05-20", "1", "计划中", "覃一瀛", "刘少伟"],
        [None, "大屏告警", "明天", "2027-05-28", "9", "未知", "覃一瀛", ""],
    ])  # fmt: skip
    body = client.post(url, {"file": bad}).content.decode()
    assert "第 5 行：开始时间「明天」不是有效日期" in body
    assert "第 4 行：结束时间早于开始时间" in body
    assert "导入未完成" in body and not PlanItem.objects.filter(project=project).exists()

    good = _xlsx([
        ["编号", "工作任务", "开始时间", "结束时间", "前置任务", "状态", "客户负责人", "供应商负责人"],
        [1, "智慧消防", None, None, None, None, None, None],  # 003's group heading
        [1, "消防主机对接", "2027年5月10日", "2027年5月21日", None, "计划中", "覃一瀛", "金怡冬"],
        [2, "告警联动测试", "2027-05-24", "2027-05-28", "1", "计划中", "覃一瀛", "刘少伟"],
        [3, "设备点位清理", "2027-05-06", "2027-05-07", None, "已完成", "冯雪萍", "张健威"],
    ])  # fmt: skip
    response = client.post(url, {"file": good})
    assert response.status_code == 302
    linked = PlanItem.objects.get(project=project, seq=2)
    assert [p.seq for p in linked.predecessors.all()] == [1]
    assert (linked.group, linked.customer_owner, linked.supplier_owner) == ("智慧消防", "覃一瀛", "刘少伟")

    exported = client.get(reverse("planning:plan_export", args=[project.pk]))
    sheet = load_workbook(BytesIO(exported.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:8] == ("编号", "工作任务", "开始时间", "结束时间", "前置任务", "状态", "客户负责人", "供应商负责人")
    assert rows[3][:6] == (2, "告警联动测试", rows[3][2], rows[3][3], "1", "计划中")
    # the exported sheet imports again: the same 编号 update the same items
    PlanItem.objects.filter(project=project, seq=3).update(name="改过的名字")
    buffer = BytesIO(exported.content)
    assert client.post(url, {"file": SimpleUploadedFile("e.xlsx", buffer.getvalue())}).status_code == 302
    assert PlanItem.objects.get(project=project, seq=3).name == "设备点位清理"
    assert PlanItem.objects.filter(project=project).count() == 3


def test_the_gantt_prints_as_a_pdf(client, project, pm):
    plan_item_add(project=project, actor=pm, name="部署", planned_start=timezone.localdate(),
                  planned_end=timezone.localdate() + timedelta(days=3))  # fmt: skip
    client.force_login(pm)
    response = client.get(reverse("planning:plan_pdf", args=[project.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_raci_from_the_template_edited_and_exported(client, project, pm, org):
    client.force_login(pm)
    client.post(reverse("planning:raci_generate", args=[project.pk]))
    row = ProjectRaci.objects.get(project=project, code="schedule-control")
    body = client.get(tab(project, "raci")).content.decode()
    assert "编制需求规格说明书" in body and "郑北辰" in body  # who hears the schedule's notices
    response = client.post(reverse("planning:raci_edit", args=[project.pk, row.pk]),
                           {"customer": "A", "ours": "A", "third": "S"})  # fmt: skip
    assert "只能有一方审批" in response.content.decode()
    assert 'value="A" selected' in response.content.decode()
    exported = client.get(reverse("planning:raci_export", args=[project.pk]))
    rows = list(load_workbook(BytesIO(exported.content)).active.iter_rows(values_only=True))
    assert rows[1] == ("序号", "活动", "客户", "我方项目组", "第三方", "我方责任人")
    assert rows[2][1:5] == ("编制需求工作方案", "C", "R", "S")


def test_the_weekly_draft_fills_the_weekly_report_form(client, project, pm):
    risk_raise(project=project, actor=pm, source="supplier", description="供应商接口延期", probability=3,
               impact=3, strategy="transfer", owner=pm)  # fmt: skip
    client.force_login(pm)
    body = client.get(tab(project, "reports") + "?draft=weekly").content.decode()
    assert "高风险待协调：供应商接口延期" in body
    assert reverse("projects:weekly_report", args=[project.pk]) in body


def test_risks_are_raised_followed_and_show_on_the_handover_partial(client, project, pm):
    client.force_login(pm)
    response = client.post(reverse("planning:risk_add", args=[project.pk]), {
        "source": "procurement", "description": "服务器到货晚", "probability": "3", "impact": "2",
        "strategy": "transfer", "owner": pm.pk, "measures": "背靠背条款",
    })  # fmt: skip
    assert response.status_code == 302
    risk = Risk.objects.get(project=project)
    assert risk.get_level_display() == "高"
    client.post(reverse("planning:risk_follow", args=[project.pk, risk.pk]), {"note": "供应商承诺周五到货"})
    body = client.get(tab(project, "risks")).content.decode()
    assert "供应商承诺周五到货" in body and "跟踪中" in body
