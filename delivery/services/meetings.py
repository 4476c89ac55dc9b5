"""Project meetings (004 §1.3, 003 合同交底): the kickoff whose end marks the project's official
start, the Monday meeting, the contract briefing whose risks are agreed and put on record; their
minutes, and action items that wait in their owners' inboxes until done."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from approvals.errors import DomainError
from approvals.services import task_open
from pmis.audit.services import audit_record
from projects import workspace
from projects.models import Project

from ..models import ActionItem, Meeting
from .common import close_steps, is_member, lock_project, require

ACTION_STEP = "delivery.action_item"
REQUIRED = {
    Meeting.Kind.KICKOFF: (("attendees", "出席人员"), ("objectives", "项目目标"), ("strategy", "实施策略"),
                           ("plan", "计划安排"), ("rules", "项目管理规程")),
    Meeting.Kind.WEEKLY: (("attendees", "出席人员"), ("last_week", "上周项目绩效"), ("this_week", "本周工作安排")),
    Meeting.Kind.BRIEFING: (("attendees", "出席人员"),),
}  # fmt: skip
FIELDS = ("attendees", "objectives", "strategy", "plan", "rules", "last_week", "this_week", "coordination")


@transaction.atomic
def meeting_create(*, project: Project, actor, kind: str, held_on: date, data: dict) -> Meeting:
    project = lock_project(project)
    require(is_member(actor, project), "只有项目组成员可以登记项目会议")
    if kind not in Meeting.Kind.values:
        raise DomainError("请选择会议类型")
    missing = [label for field, label in REQUIRED[kind] if not (data.get(field) or "").strip()]
    if missing:
        raise DomainError(f"{Meeting.Kind(kind).label}须填写：" + "、".join(missing))
    if kind == Meeting.Kind.KICKOFF and project.meetings.filter(kind=kind).exists():
        raise DomainError("该项目已召开过项目启动会")
    meeting = Meeting.objects.create(
        project=project,
        kind=kind,
        held_on=held_on,
        created_by=actor,
        **{field: (data.get(field) or "").strip() for field in FIELDS},
    )
    audit_record(subject=project, action="meeting.create", label=f"登记{meeting}", actor=actor)
    return meeting


@transaction.atomic
def meeting_end(*, meeting: Meeting, actor, minutes: str, risks_agreed: bool = False) -> Meeting:
    """End a meeting with its minutes. The kickoff's end is the project's official start; a
    contract briefing ends only with its risks agreed and on record (003: 在风险上达成共识, 并予以备案)."""
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("project").get(pk=meeting.pk)
    project = lock_project(meeting.project)
    require(is_member(actor, project), "只有项目组成员可以结束会议")
    if meeting.state != Meeting.State.OPEN:
        raise DomainError("该会议已结束")
    if not minutes.strip():
        raise DomainError("请填写会议纪要")
    if meeting.kind == Meeting.Kind.BRIEFING:
        if not risks_agreed:
            raise DomainError("合同交底须在风险上达成共识并备案：请在风险列表中登记风险后勾选“风险已达成共识并备案”")
        meeting.risks_agreed = True
        minutes = (
            f"{minutes.strip()}\n风险已在交底会上达成共识并备案，见风险列表：{workspace.tab_url(project, 'risks')}"
        )
    now = timezone.now()
    meeting.end(minutes=minutes.strip(), at=now)
    meeting.save(update_fields=["state", "minutes", "ended_at", "risks_agreed"])
    audit_record(subject=project, action="meeting.end", label=f"{meeting}结束", actor=actor, to_state="ended")
    if meeting.kind == Meeting.Kind.KICKOFF and project.started_at is None:
        project.started_at = now
        project.save(update_fields=["started_at", "updated_at"])
        audit_record(subject=project, action="project.started", label="项目启动会结束，项目正式启动", actor=actor)
        # 003 规划交付进度: the plan refreshed at the start is the baseline progress is measured against
        from planning.models import PlanItem
        from planning.plan import plan_baseline_set

        plan = PlanItem.objects.filter(project=project)
        if plan.exists() and not plan.filter(baseline_start__isnull=False).exists():
            plan_baseline_set(project=project, actor=actor)
    return meeting


def _open_action_task(item: ActionItem) -> None:
    task_open(
        subject=item,
        step=ACTION_STEP,
        step_label="会议行动项" if item.meeting_id else "高管下达任务",
        title=f"{item.project.name}：{item.title}（{item.due_date:%m-%d} 前）",
        link=workspace.tab_url(item.project, "meetings"),
        assignee=item.owner,
        policy=None,
    )


def action_item_add(*, project: Project, actor, title: str, owner, due_date: date, meeting=None, review=None):
    """A to-do with an owner and a due date, opened in the owner's inbox. Called inside the
    service that gives it (a meeting's minutes or an executives' decision), which checked the
    actor's right."""
    if not title.strip():
        raise DomainError("请填写行动项内容")
    if owner is None:
        raise DomainError("请指定行动项负责人")
    if due_date is None:
        raise DomainError("请填写行动项完成日期")
    if due_date < timezone.localdate():
        raise DomainError("行动项完成日期不能早于今天")
    item = ActionItem.objects.create(
        project=project, meeting=meeting, review=review, title=title.strip(), owner=owner, due_date=due_date
    )
    _open_action_task(item)
    audit_record(subject=item, action="action_item.open", label=f"下达行动项：{item.title}", actor=actor)
    return item


@transaction.atomic
def meeting_action_add(*, meeting: Meeting, actor, title: str, owner, due_date: date) -> ActionItem:
    meeting = Meeting.objects.select_related("project").get(pk=meeting.pk)
    require(is_member(actor, meeting.project), "只有项目组成员可以登记行动项")
    return action_item_add(
        project=meeting.project, actor=actor, title=title, owner=owner, due_date=due_date, meeting=meeting
    )


@transaction.atomic
def action_item_finish(*, item: ActionItem, actor, result: str) -> ActionItem:
    item = ActionItem.objects.select_for_update(of=("self",)).select_related("project").get(pk=item.pk)
    require(item.owner_id == actor.pk or is_member(actor, item.project), "只有负责人或项目组可以完成该行动项")
    if item.state != ActionItem.State.OPEN:
        raise DomainError("该行动项已完成")
    if not result.strip():
        raise DomainError("请填写完成情况")
    item.finish(result=result.strip(), at=timezone.now())
    item.save(update_fields=["state", "result", "done_at"])
    close_steps(item, ACTION_STEP, actor, "done")
    audit_record(subject=item, action="action_item.finish", label=f"完成行动项：{item.title}", actor=actor,
                 from_state="open", to_state="done")  # fmt: skip
    return item
