import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from approvals.errors import DomainError
from approvals.models import Task
from approvals.selectors import open_tasks_for
from approvals.services import tasks_sweep
from changes import services
from changes.models import ChangeRequest
from pmis.audit.models import AuditEntry
from pmis.notify.models import Notification
from projects.models import Project

from .conftest import CHANGE, at

pytestmark = pytest.mark.django_db


def _audits(record, action):
    return AuditEntry.objects.filter(object_id=record.pk, action=action, content_type__model=record._meta.model_name)


def test_submit_opens_the_business_approval_due_one_working_day_later(org, live, time_machine):
    time_machine.move_to(at(2026, 12, 4, 10, 0), tick=False)  # a Friday
    cr = services.change_request_submit(project=live, actor=org["implementer"], data=CHANGE)
    task = open_tasks_for(cr).get()
    assert task.step == "change.review" and task.assignee == org["regional_pm"]
    # one working day (9 working hours) after Friday 10:00 is Monday 10:00
    assert timezone.localtime(task.due_at) == at(2026, 12, 7, 10, 0)
    assert cr.review_due_at == task.due_at and task.escalate_to.name == "project_director"
    assert _audits(cr, "change.submit").count() == 1 and cr.number.startswith("XQ")


def test_an_overdue_business_approval_is_warned_and_escalated_once(org, live, time_machine):
    time_machine.move_to(at(2026, 12, 7, 9, 0), tick=False)
    cr = services.change_request_submit(project=live, actor=org["implementer"], data=CHANGE)
    time_machine.move_to(at(2026, 12, 7, 17, 0), tick=False)  # past 75 %
    assert tasks_sweep()["warned"] == 1
    time_machine.move_to(at(2026, 12, 8, 9, 30), tick=False)  # past due
    assert tasks_sweep()["escalated"] == 1
    assert tasks_sweep() == {"escalated": 0, "warned": 0}
    escalations = Notification.objects.filter(kind="sla_escalation", title__contains=cr.number)
    assert {n.recipient.username for n in escalations} == {"regional_pm", "project_director"}
    assert escalations.count() == 2
    # recorded late on the record when the PM finally answers
    cr = services.change_request_review(change=cr, actor=org["regional_pm"], approved=True, answer="同意")
    assert cr.review_late and _audits(cr, "change.review").get().details["late"] is True


def test_the_whole_flow_to_the_release_request(org, live, time_machine):
    time_machine.move_to(at(2026, 12, 7, 9, 0), tick=False)
    pm, lead, quality = org["regional_pm"], org["requirement_lead"], org["quality"]
    cr = services.change_request_submit(project=live, actor=pm, data=CHANGE)
    cr = services.change_request_review(change=cr, actor=pm, approved=True, answer="业务部门同意")
    assert cr.state == ChangeRequest.State.EVALUATING and not cr.review_late
    cr = services.change_request_evaluate(
        change=cr, actor=pm, impact="影响审批流", person_days=3, size="large", needs_meeting=True,
        planned_date=at(2026, 12, 18, 0, 0).date(),
    )  # fmt: skip
    assert cr.state == ChangeRequest.State.DISCUSSING
    cr = services.change_request_discuss(change=cr, actor=pm, minutes="双方商定 12 月 18 日完成")
    task = open_tasks_for(cr).get()
    assert task.step == "change.work" and task.group.name == "requirement_lead"
    with pytest.raises(PermissionDenied):
        services.change_request_work_done(change=cr, actor=quality, design_note="x")
    cr = services.change_request_work_done(change=cr, actor=lead, design_note="新增会签节点")
    assert cr.state == ChangeRequest.State.VERIFYING and cr.lead == lead
    cr = services.change_request_verify(change=cr, actor=quality, passed=False, note="会签顺序错误")
    assert cr.state == ChangeRequest.State.IN_WORK and open_tasks_for(cr).get().assignee == lead
    cr = services.change_request_work_done(change=cr, actor=lead, design_note="已修正")
    cr = services.change_request_verify(change=cr, actor=quality, passed=True, note="通过")
    assert cr.state == ChangeRequest.State.VERIFIED
    assert open_tasks_for(cr).get().step == "change.release_request"


def test_a_rejected_first_review_ends_the_request_and_tells_the_submitter(org, live):
    cr = services.change_request_submit(project=live, actor=org["implementer"], data=CHANGE)
    cr = services.change_request_review(change=cr, actor=org["regional_pm"], approved=False, answer="不在本期范围")
    assert cr.state == ChangeRequest.State.REJECTED and not open_tasks_for(cr).exists()
    assert Notification.objects.filter(recipient=org["implementer"], kind="change_rejected").count() == 1


def test_refusals(org, live, project):
    with pytest.raises(PermissionDenied):
        services.change_request_submit(project=live, actor=org["sales2"], data=CHANGE)
    with pytest.raises(DomainError, match="需求主题"):
        services.change_request_submit(project=live, actor=org["implementer"], data={**CHANGE, "title": " "})
    other = Project.objects.exclude(pk=live.pk).first() or live
    if other.state not in ("live", "acceptance", "handover", "maintenance"):
        with pytest.raises(DomainError, match="上线后"):
            services.change_request_submit(project=other, actor=org["regional_pm"], data=CHANGE)
    cr = services.change_request_submit(project=live, actor=org["implementer"], data=CHANGE)
    with pytest.raises(PermissionDenied):  # only the PM records the customer's answer
        services.change_request_review(change=cr, actor=org["implementer"], approved=True, answer="同意")
    with pytest.raises(DomainError, match="初审意见"):
        services.change_request_review(change=cr, actor=org["regional_pm"], approved=True, answer="")


def test_the_pm_is_reminded_one_working_day_before_the_planned_date_once(org, live, time_machine):
    time_machine.move_to(at(2026, 12, 7, 9, 0), tick=False)
    pm = org["regional_pm"]
    cr = services.change_request_submit(project=live, actor=pm, data=CHANGE)
    cr = services.change_request_review(change=cr, actor=pm, approved=True, answer="同意")
    cr = services.change_request_evaluate(
        change=cr, actor=pm, impact="小", person_days=1, size="small", needs_meeting=False,
        planned_date=at(2026, 12, 14, 0, 0).date(),  # a Monday: told by Friday 09:00
    )  # fmt: skip
    time_machine.move_to(at(2026, 12, 11, 8, 59), tick=False)
    assert services.change_deadline_reminders() == 0
    time_machine.move_to(at(2026, 12, 11, 9, 0), tick=False)
    assert services.change_deadline_reminders() == 1
    assert services.change_deadline_reminders() == 0
    note = Notification.objects.get(recipient=pm, kind="change_deadline")
    assert "提前 1 个工作日告知客户" in note.body
    # the PM records the delay: the new date is reminded again, in its turn
    cr = services.change_request_delay_notice(
        change=cr, actor=pm, reason="接口方延期", new_date=at(2026, 12, 21, 0, 0).date()
    )
    assert cr.planned_date.isoformat() == "2026-12-21" and _audits(cr, "change.delay").get().details["late"] is False
    assert Task.objects.filter(state="open", step="change.work").count() == 1
