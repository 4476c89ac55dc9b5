from datetime import timedelta

import pytest
from django.utils import timezone

from approvals.errors import DomainError
from planning.health import Health, formula, health_for, project_health
from planning.models import PlanItem, ProjectRaci, Risk
from planning.plan import plan_item_add, plan_item_update
from planning.raci import raci_from_template, raci_recipients, raci_update
from planning.reports import monthly_draft, monthly_report_file, weekly_draft
from planning.risks import risk_raise, risk_update
from pmis.worktime.models import SlaPolicy
from projects.models import DeliveryTask
from projects.services import delivery_task_act, delivery_task_assign, requirements_confirm

pytestmark = pytest.mark.django_db


def test_the_matrix_comes_from_the_company_template_of_003(project, pm):
    assert raci_from_template(project=project, actor=pm) == 12
    assert raci_from_template(project=project, actor=pm) == 0
    row = ProjectRaci.objects.get(project=project, code="req-plan-draft")
    assert (row.activity, row.customer, row.ours, row.third) == ("编制需求工作方案", "C", "R", "S")
    with pytest.raises(DomainError, match="R / A / S / C / I"):
        raci_update(row=row, actor=pm, customer="X", ours="R", third="")
    with pytest.raises(DomainError, match="只能有一方审批"):
        raci_update(row=row, actor=pm, customer="A", ours="A", third="")


def test_an_activitys_a_and_r_receive_its_notices(project, pm, org):
    raci_from_template(project=project, actor=pm)
    schedule = ProjectRaci.objects.get(project=project, code="schedule-control")  # 我方 R
    assert {u.username for u in raci_recipients(project, "schedule-control")} == {"regional_pm", "implementer"}
    raci_update(row=schedule, actor=pm, customer="R", ours="A", third="I", ours_person=org["project_director"])
    assert [u.username for u in raci_recipients(project, "schedule-control")] == ["project_director"]
    raci_update(row=schedule, actor=pm, customer="A", ours="S", third="R")
    assert raci_recipients(project, "schedule-control") == []


def test_the_weekly_draft_holds_the_weeks_facts(project, pm, org, upload):
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    last_monday = monday - timedelta(days=7)
    upload(project, "requirement-confirmation")
    requirements_confirm(project=project, actor=pm)
    task = delivery_task_assign(project=project, actor=pm, type="onsite", title="现场部署", assignee=org["implementer"])
    upload(task, "customer-service-form")
    for action in ("accept", "start", "finish"):
        delivery_task_act(task=task, actor=org["implementer"], action=action, result="部署完成")
    DeliveryTask.objects.filter(pk=task.pk).update(done_at=timezone.now() - timedelta(days=today.weekday() + 2))
    hit = plan_item_add(project=project, actor=pm, name="环境就绪", kind=PlanItem.Kind.MILESTONE,
                        planned_start=last_monday, planned_end=last_monday + timedelta(days=1))  # fmt: skip
    plan_item_update(item=hit, actor=pm, actual_end=last_monday + timedelta(days=1))
    plan_item_add(project=project, actor=pm, name="数据迁移", planned_start=last_monday,
                  planned_end=last_monday + timedelta(days=2))  # fmt: skip
    plan_item_add(project=project, actor=pm, name="用户培训", planned_start=monday,
                  planned_end=monday + timedelta(days=3))  # fmt: skip
    risk = risk_raise(project=project, actor=pm, source=Risk.Source.SUPPLIER, description="供应商接口延期",
                      probability=3, impact=3, strategy=Risk.Strategy.TRANSFER, owner=pm)  # fmt: skip
    Risk.objects.filter(pk=risk.pk).update(created_at=timezone.now() - timedelta(days=today.weekday() + 3))
    closed = risk_raise(project=project, actor=pm, source=Risk.Source.TECHNICAL, description="证书格式不兼容",
                        probability=1, impact=1, strategy=Risk.Strategy.MITIGATE, owner=pm)  # fmt: skip
    risk_update(risk=closed, actor=pm, status=Risk.Status.CLOSED)
    Risk.objects.filter(pk=closed.pk).update(
        created_at=timezone.now() - timedelta(days=30), closed_at=timezone.now() - timedelta(days=today.weekday() + 1)
    )

    draft = weekly_draft(project, monday)

    assert "实施任务「现场部署」已完成" in draft["last_week"]
    assert "里程碑「环境就绪」" in draft["last_week"] and "按期" in draft["last_week"]
    assert "「数据迁移」计划" in draft["last_week"] and "已延期" in draft["last_week"]
    assert "新增高风险（供应商）：供应商接口延期" in draft["last_week"]
    assert "关闭风险：证书格式不兼容" in draft["last_week"]
    assert "「用户培训」" in draft["this_week"] and "「数据迁移」" in draft["this_week"]
    assert "高风险待协调：供应商接口延期" in draft["coordination"]
    # a week with nothing in it says so
    empty = weekly_draft(project, monday - timedelta(days=70))
    assert "完成的工作：无" in empty["last_week"]


def test_the_monthly_report_is_drafted_and_filed_once_per_month(project, pm):
    today = timezone.localdate()
    plan_item_add(project=project, actor=pm, name="上线", planned_start=today, planned_end=today + timedelta(days=40))
    draft = monthly_draft(project, today)
    assert "「上线」" in draft["next_month"]
    report = monthly_report_file(project=project, actor=pm, month=today, **draft)
    again = monthly_report_file(project=project, actor=pm, month=today, **{**draft, "progress": "改过"})
    assert again.pk == report.pk and again.progress == "改过" and again.month.day == 1


def test_health_is_late_then_at_risk_then_ok(project, pm):
    today = timezone.localdate()
    assert project_health(project).state == Health.OK
    item = plan_item_add(project=project, actor=pm, name="部署", planned_start=today - timedelta(days=10),
                         planned_end=today - timedelta(days=1))  # fmt: skip
    health = project_health(project)
    assert (health.label, health.reasons) == ("延期", ["1 个计划项延期"])
    plan_item_update(item=item, actor=pm, actual_end=today - timedelta(days=1))
    risk = risk_raise(project=project, actor=pm, source=Risk.Source.COMMERCIAL, description="回款风险",
                      probability=3, impact=2, strategy=Risk.Strategy.ACCEPT, owner=pm)  # fmt: skip
    assert project_health(project).label == "有风险"
    risk_update(risk=risk, actor=pm, probability=1)
    assert project_health(project).label == "正常"
    plan_item_add(project=project, actor=pm, name="培训", planned_start=today, planned_end=today)
    assert project_health(project).label == "有风险"
    SlaPolicy.objects.filter(code="plan-due-soon").update(duration_minutes=9 * 60)
    assert "1 个工作日内" in formula()


def test_health_of_many_projects_takes_a_fixed_number_of_queries(project, pm, django_assert_num_queries):
    with django_assert_num_queries(3):  # the policy, the calendar, the plan's and the risks' counts together
        assert health_for([project.pk, project.pk + 1000])[project.pk].state == Health.OK
