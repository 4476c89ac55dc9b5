"""After-sales tickets (售后问题, the 问题申报单 of 004 §8.2.4) worked under the SLA of their severity."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from approvals.errors import DomainError
from approvals.models import Task
from approvals.selectors import open_tasks_for
from approvals.services import next_number, task_close, task_open
from pmis.audit.services import audit_record
from pmis.layout import layout_forget_task
from pmis.notify.services import notify
from pmis.org.selectors import user_role_codes, users_in_role
from pmis.worktime.display import duration_text
from pmis.worktime.models import SlaPolicy
from pmis.worktime.services import TRIAGE_POLICY, is_ticket_level
from projects.models import Project

from ..models import Ticket
from .rollup import contribution, rollup_apply
from .sla import remaining_at, reported_at_check, resolution_deadlines, response_due, resumed_deadlines

AFTERSALES_ROLES = frozenset({"aftersales", "aftersales_manager", "cs_staff", "cs_head"})


def ticket_can_view(user, ticket: Ticket) -> bool:
    if user.is_superuser or user_role_codes(user) & AFTERSALES_ROLES:
        return True
    return user.pk in (ticket.assignee_id, ticket.created_by_id)


def _locked_ticket(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",)).select_related("project__region", "severity").get(pk=ticket.pk)
    )


def _sla_task(ticket: Ticket) -> Task | None:
    return open_tasks_for(ticket).filter(step="ticket.sla").first()


def _is_aftersales(user) -> bool:
    return user.is_superuser or bool(user_role_codes(user) & AFTERSALES_ROLES)


@transaction.atomic
def ticket_create(*, project: Project, actor, data: dict) -> Ticket:
    """Register a 问题申报单. The 申报时间 may lie back (补录, within the policy's bound, audited) but
    never in the future; triage is then due within the triage policy, chased by the sweep."""
    if not _is_aftersales(actor):
        raise PermissionDenied("只有售后与客户成功人员可以登记问题申报单")
    now = timezone.now()
    reported_at = data.pop("reported_at", None) or now
    backdated = reported_at_check(reported_at, now=now)
    ticket = Ticket.objects.create(
        number=next_number("SB"),
        project=project,
        created_by=actor,
        reported_at=reported_at,
        **data,
    )
    rollup_apply(None, ticket)
    # The form has minute precision: a report time within the current minute is not 补录.
    late = reported_at < now.replace(second=0, microsecond=0)
    audit_record(
        subject=ticket,
        action="ticket.create",
        label=f"登记问题申报单（补录：申报时间早于登记 {duration_text(backdated)}）" if late else "登记问题申报单",
        actor=actor,
        to_state=ticket.state,
        details={"reported_at": reported_at.isoformat(), "backdated_seconds": int(backdated.total_seconds())},
    )
    task_open(
        subject=ticket,
        step="ticket.triage",
        step_label="售后问题待分级",
        title=f"{ticket.number} {ticket.subject}",
        link=ticket.get_absolute_url(),
        group="aftersales",
        policy=TRIAGE_POLICY,
        escalate_to="aftersales_manager",
    )
    notify(
        recipients=users_in_role("aftersales_manager"),
        title=f"新的售后问题：{ticket.number} {ticket.subject}",
        body=f"{project.name}；申报单位：{ticket.reporting_unit}",
        link=ticket.get_absolute_url(),
        subject=ticket,
        kind="ticket_new",
    )
    return ticket


def _open_resolution_task(ticket: Ticket, *, warn_at: datetime, label: str) -> Task:
    """The inbox item that carries a ticket's resolution clock: warned at its warning point,
    escalated to 售后运维部经理 at breach by the sweep."""
    task = task_open(
        subject=ticket,
        step="ticket.sla",
        step_label=label,
        title=f"{ticket.number} {ticket.subject}",
        link=ticket.get_absolute_url(),
        group="aftersales",
        policy=None,
        escalate_to="aftersales_manager",
        notify_waiting=False,
    )
    fields = {"due_at": ticket.due_at, "warn_at": warn_at, "policy": ticket.severity}
    if ticket.assignee is not None:
        fields |= {"assignee": ticket.assignee, "claimed_by": ticket.assignee, "claimed_at": timezone.now()}
    Task.objects.filter(pk=task.pk).update(**fields)
    layout_forget_task(task, ticket.assignee_id)
    return task


@transaction.atomic
def ticket_triage(*, ticket: Ticket, actor, severity: SlaPolicy) -> Ticket:
    """Set the severity; the resolution and first-response clocks start from the report time."""
    ticket = _locked_ticket(ticket)
    before = contribution(ticket)
    if not _is_aftersales(actor):
        raise PermissionDenied("只有售后人员可以为问题分级")
    if not is_ticket_level(severity.code):
        raise DomainError("请选择问题级别（紧急 / 严重 / 中等 / 一般）")
    ticket.triage(severity=severity)
    ticket.sla_started_at = ticket.reported_at
    ticket.due_at, warn_at = resolution_deadlines(severity, ticket.reported_at)
    ticket.response_due_at = response_due(severity, ticket.reported_at)
    ticket.save(update_fields=["state", "severity", "sla_started_at", "due_at", "response_due_at"])
    rollup_apply(before, ticket)
    for task in open_tasks_for(ticket).filter(step="ticket.triage"):
        task_close(task=task, actor=actor, outcome="triaged")
    _open_resolution_task(ticket, warn_at=warn_at, label=f"售后问题（{severity.name}）")
    audit_record(
        subject=ticket,
        action="ticket.triage",
        label=f"分级：{severity.name}",
        actor=actor,
        from_state=Ticket.State.NEW,
        to_state=ticket.state,
        details={
            "due_at": ticket.due_at.isoformat(),
            "response_due_at": ticket.response_due_at.isoformat() if ticket.response_due_at else None,
        },
    )
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, actor, to, dispatch: bool = False) -> Ticket:
    """Assign to an after-sales engineer, or (dispatch, by the aftersales manager) to the regional
    PM of the project's region for on-site support (000 §3.7)."""
    ticket = _locked_ticket(ticket)
    before = contribution(ticket)
    roles = user_role_codes(actor)
    if dispatch:
        if not (actor.is_superuser or "aftersales_manager" in roles):
            raise PermissionDenied("只有售后运维部经理可以派单给区域项目经理")
        if not ("regional_pm" in user_role_codes(to) and to.has_perm("org.act_in_region", ticket.project.region)):
            raise DomainError(f"{to} 不是项目所在区域（{ticket.project.region}）的区域项目经理")
    else:
        if not _is_aftersales(actor):
            raise PermissionDenied("只有售后人员可以指派问题")
        if not (user_role_codes(to) & {"aftersales", "cs_staff"}):
            raise DomainError(f"{to} 不是售后技术支持人员")
    if ticket.state == Ticket.State.NEW:
        raise DomainError("请先为问题分级")
    ticket.assign(to=to, at=timezone.now(), by_dispatch=dispatch)
    ticket.save(update_fields=["state", "assignee", "dispatched_to_pm", "first_assigned_at"])
    rollup_apply(before, ticket)
    task = _sla_task(ticket)
    if task is not None:
        Task.objects.filter(pk=task.pk).update(assignee=to, claimed_by=to, claimed_at=timezone.now())
        layout_forget_task(task, to.pk)
    if dispatch:
        from .local_support import support_answered_by_dispatch

        support_answered_by_dispatch(ticket, actor)
    audit_record(
        subject=ticket,
        action="ticket.dispatch" if dispatch else "ticket.assign",
        label=f"{'派单至区域项目经理' if dispatch else '指派'}：{to}",
        actor=actor,
        to_state=ticket.state,
    )
    due = f"；解决时限：{timezone.localtime(ticket.due_at):%Y-%m-%d %H:%M}" if ticket.due_at else ""
    notify(
        recipients=[to],
        title=f"售后问题指派给您：{ticket.number} {ticket.subject}",
        body=f"级别：{ticket.severity.name if ticket.severity else '—'}{due}",
        link=ticket.get_absolute_url(),
        subject=ticket,
        kind="ticket_assigned",
    )
    return ticket


def _assignee_only(ticket: Ticket, actor) -> None:
    if ticket.assignee_id != actor.pk:
        raise PermissionDenied("只有处理人可以执行该操作")


@transaction.atomic
def ticket_start(*, ticket: Ticket, actor) -> Ticket:
    ticket = _locked_ticket(ticket)
    before = contribution(ticket)
    _assignee_only(ticket, actor)
    ticket.start(at=timezone.now())
    ticket.save(update_fields=["state", "first_response_at"])
    rollup_apply(before, ticket)
    audit_record(subject=ticket, action="ticket.start", label="开始处理", actor=actor, to_state=ticket.state)
    return ticket


@transaction.atomic
def ticket_pause(*, ticket: Ticket, actor, reason: str) -> Ticket:
    """Waiting for the customer: the SLA clock stops (the sweeper no longer sees the task). A ticket
    already past its due time stays breached."""
    ticket = _locked_ticket(ticket)
    before = contribution(ticket)
    _assignee_only(ticket, actor)
    if not reason.strip():
        raise DomainError("请填写等待客户的原因")
    now = timezone.now()
    ticket.pause(at=now, remaining_seconds=int(remaining_at(ticket, now).total_seconds()))
    ticket.save(update_fields=["state", "paused_at", "remaining_seconds", "sla_breached_at"])
    rollup_apply(before, ticket)
    task = _sla_task(ticket)
    if task is not None:
        Task.objects.filter(pk=task.pk).update(due_at=None, warn_at=None)
    audit_record(subject=ticket, action="ticket.pause", label="等待客户（暂停计时）", actor=actor, comment=reason)
    return ticket


def _resume_clock(ticket: Ticket, now) -> None:
    due, warn = resumed_deadlines(ticket, now)
    ticket.resume(due_at=due)
    if ticket.due_at != due:  # kept (breached, or the old due time was later)
        warn = min(warn, ticket.due_at)
    task = _sla_task(ticket)
    if task is not None:
        Task.objects.filter(pk=task.pk).update(due_at=ticket.due_at, warn_at=warn)


@transaction.atomic
def ticket_resume(*, ticket: Ticket, actor) -> Ticket:
    ticket = _locked_ticket(ticket)
    before = contribution(ticket)
    _assignee_only(ticket, actor)
    _resume_clock(ticket, timezone.now())
    ticket.save(update_fields=["state", "paused_at", "remaining_seconds", "due_at"])
    rollup_apply(before, ticket)
    audit_record(
        subject=ticket,
        action="ticket.resume",
        label="恢复处理（继续计时）",
        actor=actor,
        details={"due_at": ticket.due_at.isoformat()},
    )
    return ticket


@transaction.atomic
def ticket_resolve(*, ticket: Ticket, actor, resolution: str) -> Ticket:
    ticket = _locked_ticket(ticket)
    before = contribution(ticket)
    _assignee_only(ticket, actor)
    if not resolution.strip():
        raise DomainError("请填写解决方案")
    now = timezone.now()
    if ticket.state == Ticket.State.WAITING_CUSTOMER:
        _resume_clock(ticket, now)
    ticket.resolve(at=now, resolution=resolution)
    ticket.save(
        update_fields=[
            "state", "resolution", "resolved_at", "sla_met", "sla_breached_at", "paused_at", "remaining_seconds",
            "due_at",
        ]
    )  # fmt: skip
    rollup_apply(before, ticket)
    # solved without it: a request for local support no longer waits on the manager
    for task in open_tasks_for(ticket).filter(step__in=["ticket.sla", "ticket.reopened", "ticket.local_support"]):
        task_close(task=task, actor=actor, outcome="resolved")
    audit_record(
        subject=ticket,
        action="ticket.resolve",
        label="已解决（SLA 达成）" if ticket.sla_met else "已解决（SLA 未达成）",
        actor=actor,
        to_state=ticket.state,
        comment=resolution,
        details={"sla_met": ticket.sla_met},
    )
    return ticket


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, actor, reason: str) -> Ticket:
    """The fix did not hold: a new resolution clock starts now on the severity's policy, warned
    and escalated like the first; the ticket counts as unresolved until resolved again."""
    ticket = _locked_ticket(ticket)
    before = contribution(ticket)
    if not _is_aftersales(actor):
        raise PermissionDenied("只有售后人员可以重开问题")
    if not reason.strip():
        raise DomainError("请填写重开原因")
    now = timezone.now()
    due, warn_at = resolution_deadlines(ticket.severity, now)
    ticket.reopen(at=now, due_at=due)
    ticket.save(
        update_fields=[
            "state", "reopen_count", "reopened_at", "sla_started_at", "due_at", "sla_breached_at", "resolved_at",
            "sla_met",
        ]
    )  # fmt: skip
    rollup_apply(before, ticket)
    _open_resolution_task(ticket, warn_at=warn_at, label=f"售后问题（重开，{ticket.severity.name}）")
    if ticket.assignee is not None:
        notify(
            recipients=[ticket.assignee],
            title=f"售后问题重开：{ticket.number} {ticket.subject}",
            body=f"重开原因：{reason}；新的解决时限：{timezone.localtime(due):%Y-%m-%d %H:%M}",
            link=ticket.get_absolute_url(),
            subject=ticket,
            kind="ticket_reopened",
        )
    audit_record(
        subject=ticket,
        action="ticket.reopen",
        label=f"重开（第 {ticket.reopen_count} 次）",
        actor=actor,
        comment=reason,
        from_state=Ticket.State.RESOLVED,
        to_state=ticket.state,
        details={"due_at": due.isoformat()},
    )
    return ticket


@transaction.atomic
def ticket_close(*, ticket: Ticket, actor, confirmation: str) -> Ticket:
    """Closed once the reporter confirms the fix (recorded by after-sales)."""
    ticket = _locked_ticket(ticket)
    before = contribution(ticket)
    if not _is_aftersales(actor) and ticket.assignee_id != actor.pk:
        raise PermissionDenied("只有售后人员可以关闭问题")
    if not confirmation.strip():
        raise DomainError("请记录申报人的确认情况")
    ticket.close(at=timezone.now())
    ticket.save(update_fields=["state", "closed_at"])
    rollup_apply(before, ticket)
    for task in open_tasks_for(ticket):
        task_close(task=task, actor=actor, outcome="closed")
    audit_record(
        subject=ticket,
        action="ticket.close",
        label="申报人确认，关闭",
        actor=actor,
        comment=confirmation,
        to_state=ticket.state,
    )
    return ticket
