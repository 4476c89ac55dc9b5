from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from approvals.errors import DomainError
from approvals.selectors import inbox_for, open_tasks_for
from delivery.models import ActionItem, Meeting
from delivery.services import meetings
from pmis.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
KICKOFF = {"attendees": "客户代表、项目组", "objectives": "三个月上线", "strategy": "分批上线", "plan": "11 月部署",
           "rules": "周一例会"}  # fmt: skip


def test_the_kickoffs_end_marks_the_projects_official_start(org, project):
    pm = org["regional_pm"]
    meeting = meetings.meeting_create(
        project=project, actor=pm, kind="kickoff", held_on=timezone.localdate(), data=KICKOFF
    )
    project.refresh_from_db()
    assert project.started_at is None
    meetings.meeting_end(meeting=meeting, actor=pm, minutes="目标与计划已宣布")
    project.refresh_from_db()
    assert project.started_at is not None
    assert AuditEntry.objects.filter(object_id=project.pk, action="project.started").count() == 1
    with pytest.raises(DomainError, match="已召开过项目启动会"):
        meetings.meeting_create(project=project, actor=pm, kind="kickoff", held_on=timezone.localdate(), data=KICKOFF)


def test_the_kickoffs_end_keeps_the_refreshed_plan_as_its_baseline(org, project):
    """003 规划交付进度: the plan refreshed at project start is the baseline; a later kickoff-free
    re-baseline still needs its reason."""
    from datetime import timedelta

    from planning.models import PlanItem
    from planning.plan import plan_item_add

    pm, today = org["regional_pm"], timezone.localdate()
    item = plan_item_add(project=project, actor=pm, name="环境准备", planned_start=today + timedelta(days=1),
                         planned_end=today + timedelta(days=5))  # fmt: skip
    meeting = meetings.meeting_create(project=project, actor=pm, kind="kickoff", held_on=today, data=KICKOFF)
    assert PlanItem.objects.get(pk=item.pk).baseline_end is None
    meetings.meeting_end(meeting=meeting, actor=pm, minutes="计划已刷新")
    item.refresh_from_db()
    assert (item.baseline_start, item.baseline_end) == (item.planned_start, item.planned_end)
    assert AuditEntry.objects.filter(object_id=project.pk, action="plan.baseline").count() == 1


def test_a_kickoff_without_its_objectives_is_refused_and_an_outsider_may_not_hold_one(org, project):
    with pytest.raises(DomainError, match="项目目标"):
        meetings.meeting_create(
            project=project, actor=org["regional_pm"], kind="kickoff", held_on=timezone.localdate(),
            data={**KICKOFF, "objectives": " "},
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        meetings.meeting_create(
            project=project, actor=org["sales2"], kind="weekly", held_on=timezone.localdate(),
            data={"attendees": "x", "last_week": "a", "this_week": "b"},
        )  # fmt: skip


def test_a_contract_briefing_ends_only_with_its_risks_agreed_and_points_at_the_risk_register(org, project):
    pm = org["regional_pm"]
    meeting = meetings.meeting_create(
        project=project, actor=pm, kind="briefing", held_on=timezone.localdate(), data={"attendees": "售前、商务、交付"}
    )
    with pytest.raises(DomainError, match="风险"):
        meetings.meeting_end(meeting=meeting, actor=pm, minutes="交底完成", risks_agreed=False)
    meeting = meetings.meeting_end(meeting=meeting, actor=pm, minutes="交底完成", risks_agreed=True)
    assert meeting.risks_agreed and f"/projects/{project.pk}/tabs/risks/" in meeting.minutes


def test_action_items_become_inbox_tasks_of_their_owners_and_close_when_done(org, project):
    pm, implementer = org["regional_pm"], org["implementer"]
    meeting = meetings.meeting_create(
        project=project, actor=pm, kind="weekly", held_on=timezone.localdate(),
        data={"attendees": "项目组", "last_week": "部署完成", "this_week": "联调", "coordination": "客户提供测试账号"},
    )  # fmt: skip
    due = timezone.localdate() + timedelta(days=3)
    item = meetings.meeting_action_add(
        meeting=meeting, actor=pm, title="催客户测试账号", owner=implementer, due_date=due
    )
    task = open_tasks_for(item).get()
    assert task.assignee == implementer and task in inbox_for(implementer)
    with pytest.raises(DomainError, match="早于今天"):
        meetings.meeting_action_add(
            meeting=meeting, actor=pm, title="x", owner=implementer, due_date=timezone.localdate() - timedelta(days=1)
        )
    with pytest.raises(PermissionDenied):
        meetings.action_item_finish(item=item, actor=org["sales2"], result="完成")
    item = meetings.action_item_finish(item=item, actor=implementer, result="已拿到账号")
    assert item.state == ActionItem.State.DONE
    assert not open_tasks_for(item).exists() and task not in inbox_for(implementer)
    with pytest.raises(DomainError, match="已完成"):
        meetings.action_item_finish(item=item, actor=implementer, result="再次")
    assert Meeting.objects.get().state == Meeting.State.OPEN
