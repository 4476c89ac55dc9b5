import pytest
from django.core.exceptions import PermissionDenied

from aftersales.models import Handover, HandoverItem
from aftersales.services import handover_audit, handover_cs_head_decide, handover_submit
from approvals.errors import DomainError
from approvals.selectors import inbox_for
from projects.models import NewsItem, State

pytestmark = pytest.mark.django_db


def _all(handover, verdict="ok", **bad):
    return {item.pk: bad.get(item.code, (verdict, "")) for item in handover.items.all()}


def test_local_handover_goes_to_system_service_and_acceptance_posts_news(org, accepted):
    handover = handover_submit(project=accepted, actor=org["regional_pm"], note="请接收")
    assert handover.route == Handover.Route.SYSTEM_SERVICE and handover.state == Handover.State.PENDING_AUDIT
    accepted.refresh_from_db()
    assert accepted.state == State.HANDOVER
    assert [t.step for t in inbox_for(org["aftersales"])] == ["handover.audit"]
    # a small project: the seven of 000 and 002's 安装验收报告, 功能测试情况表, 售后服务承诺卡,
    # 移交客户资料清单, 实施总结报告 — all there, as the acceptance gate asks for them
    assert handover.items.count() == 12 and handover.items.filter(present=False).count() == 0
    assert not handover.items.filter(code="technical-archive").exists()
    with pytest.raises(PermissionDenied):
        handover_audit(handover=handover, actor=org["cs_staff"], verdicts=_all(handover))
    handover = handover_audit(handover=handover, actor=org["aftersales"], verdicts=_all(handover))
    assert handover.state == Handover.State.ACCEPTED
    accepted.refresh_from_db()
    assert accepted.state == State.MAINTENANCE
    news = NewsItem.objects.get()
    assert accepted.name == "某某市轨道交通集团有限公司电子签章项目"
    assert news.title == "某某市轨道交通集团有限公司电子签章项目已完成移交" and news.project == accepted


def test_return_names_each_bad_item_then_the_pm_resubmits(org, accepted, upload):
    handover = handover_submit(project=accepted, actor=org["regional_pm"])
    with pytest.raises(DomainError, match="请写明问题"):
        handover_audit(
            handover=handover,
            actor=org["aftersales"],
            verdicts=_all(handover, **{"summary-report": ("missing", "")}),
        )
    with pytest.raises(DomainError, match="尚未审核"):
        handover_audit(handover=handover, actor=org["aftersales"], verdicts={})
    verdicts = _all(
        handover,
        **{"summary-report": ("missing", "未提供"), "user-acceptance-report": ("wrong", "缺客户盖章")},
    )
    handover = handover_audit(handover=handover, actor=org["aftersales"], verdicts=verdicts)
    assert handover.state == Handover.State.RETURNED
    accepted.refresh_from_db()
    assert accepted.state == State.ACCEPTANCE
    bad = dict(handover.items.exclude(verdict=HandoverItem.Verdict.OK).values_list("name", "note"))
    assert bad == {"项目实施总结报告": "未提供", "用户验收报告": "缺客户盖章"}
    from pmis.notify.models import Notification

    note = Notification.objects.get(kind="handover_returned", recipient=org["regional_pm"])
    assert "项目实施总结报告（缺失：未提供）" in note.body
    assert not NewsItem.objects.exists()

    upload(accepted, "summary-report")
    second = handover_submit(project=accepted, actor=org["regional_pm"])
    assert second.items.get(code="summary-report").present
    handover_audit(handover=second, actor=org["aftersales"], verdicts=_all(second))
    assert accepted.handovers.count() == 2  # history kept


def test_saas_handover_needs_the_cs_head_first_then_customer_success_audits(org, dispatched, upload):
    from projects import services

    r = dispatched(kind="saas")
    project = services.project_initiate(
        registration=r,
        actor=org["cs_manager"],
        name="",
        overview="",
        svn_path="",
        feasibility="可行",
        risk="可控",
        pm=org["regional_pm"],
    )
    upload(project, "requirement-confirmation")
    services.requirements_confirm(project=project, actor=org["regional_pm"])
    from tests.walk import ready_for_handover

    project = ready_for_handover(org, project, upload)
    handover = handover_submit(project=project, actor=org["regional_pm"])
    assert handover.route == Handover.Route.CUSTOMER_SUCCESS and handover.state == Handover.State.PENDING_CS_HEAD
    assert not [t for t in inbox_for(org["cs_staff"]) if t.step == "handover.cs_audit"]
    with pytest.raises(PermissionDenied):
        handover_cs_head_decide(handover=handover, actor=org["cs_staff"], approve=True)
    handover = handover_cs_head_decide(handover=handover, actor=org["cs_head"], approve=True)
    assert [t.step for t in inbox_for(org["cs_staff"])] == ["handover.cs_audit"]
    assert not [t for t in inbox_for(org["aftersales"]) if t.step in ("handover.audit", "handover.cs_audit")]
    handover_audit(handover=handover, actor=org["cs_staff"], verdicts=_all(handover))
    project.refresh_from_db()
    assert project.state == State.MAINTENANCE


def test_handover_refused_without_the_seven_documents(org, project, upload):
    from projects import services

    upload(project, "requirement-confirmation")
    services.requirements_confirm(project=project, actor=org["regional_pm"])
    from tests.walk import to_acceptance

    project = to_acceptance(org, project, upload, skip=("basic-info-form",))
    with pytest.raises(DomainError, match="验收资料不全"):
        handover_submit(project=project, actor=org["regional_pm"])
    assert not Handover.objects.exists()
    with pytest.raises(DomainError, match="请通过“提交移交”"):
        services.project_transition(project=project, actor=org["regional_pm"], action="submit_handover")


def test_a_name_without_the_word_project_still_reads_as_a_project(org, accepted):
    from projects.models import Project

    Project.objects.filter(pk=accepted.pk).update(name="某某地铁电子签章平台")
    handover = handover_submit(project=accepted, actor=org["regional_pm"])
    handover_audit(handover=handover, actor=org["aftersales"], verdicts=_all(handover))
    assert NewsItem.objects.get().title == "某某地铁电子签章平台项目已完成移交"


def test_the_route_follows_the_project_and_the_other_is_refused(org, accepted, accepted_saas):
    with pytest.raises(DomainError, match="客户成功"):
        handover_submit(project=accepted_saas, actor=org["regional_pm"], route=Handover.Route.SYSTEM_SERVICE)
    with pytest.raises(DomainError, match="系统服务部"):
        handover_submit(project=accepted, actor=org["regional_pm"], route=Handover.Route.CUSTOMER_SUCCESS)
    assert not Handover.objects.exists()
    accepted_saas.refresh_from_db()
    assert accepted_saas.state == State.ACCEPTANCE  # the refusal left the project where it was
    handover = handover_submit(project=accepted_saas, actor=org["regional_pm"], route=Handover.Route.CUSTOMER_SUCCESS)
    assert handover.state == Handover.State.PENDING_CS_HEAD
    assert [t.step for t in inbox_for(org["cs_head"])] == ["handover.cs_head"]
