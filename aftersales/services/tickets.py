"""After-sales tickets (售后问题, the 问题申报单 of 004 §8.2.4) worked under the SLA of their severity."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from approvals.errors import DomainError
from approvals.models import Task
from approvals.selectors import open_tasks_for
from approvals.services import next_number, task_close, task_open
from pmis.audit.services import audit_record
from pmis.notify.services import notify
from pmis.org.selectors import user_role_codes, users_in_role
from pmis.worktime.calendar import add_duration, elapsed
from pmis.worktime.models import SlaPolicy
from projects.models import Project

from ..models import Ticket

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
    if not _is_aftersales(actor):
        raise PermissionDenied("只有售后与客户成功人员可以登记问题申报单")
    ticket = Ticket.objects.create(
        number=next_number("SB"),
        project=project,
        created_by=actor,
        reported_at=data.pop("reported_at", None) or timezone.now(),
        **data,
    )
    audit_record(subject=ticket, action="ticket.create", label="登记问题申报单", actor=actor, to_state=ticket.state)
    notify(
        recipients=users_in_role("aftersales_manager"),
        title=f"新的售后问题：{ticket.number} {ticket.subject}",
        body=f"{project.name}；申报单位：{ticket.reporting_unit}",
        link=ticket.get_absolute_url(),
        subject=ticket,
        kind="ticket_new",
    )
    return ticket


@transaction.atomic
def ticket_triage(*, ticket: Ticket, actor, severity: SlaPolicy) -> Ticket:
    """Set the severity; the SLA clock starts from the report time on the policy's clock."""
    ticket = _locked_ticket(ticket)
    if not _is_aftersales(actor):
        raise PermissionDenied("只有售后人员可以为问题分级")
    if not severity.code.startswith("ticket-"):
        raise DomainError("请选择问题级别（紧急 / 严重 / 中等 / 一般）")
    ticket.triage(severity=severity)
    ticket.sla_started_at = ticket.reported_at
    ticket.due_at = add_duration(ticket.reported_at, severity.duration, severity.clock)
    ticket.save(update_fields=["state", "severity", "sla_started_at", "due_at"])
    warn_at = add_duration(ticket.reported_at, severity.duration * severity.warn_percent / 100, severity.clock)
    task = task_open(
        subject=ticket,
        step="ticket.sla",
        step_label=f"售后问题（{severity.name}）",
        title=f"{ticket.number} {ticket.subject}",
        link=ticket.get_absolute_url(),
        group="aftersales",
        policy=None,
        escalate_to="aftersales_manager",
        notify_waiting=False,
    )
    Task.objects.filter(pk=task.pk).update(due_at=ticket.due_at, warn_at=warn_at, policy=severity)
    audit_record(
        subject=ticket,
        action="ticket.triage",
        label=f"分级：{severity.name}",
        actor=actor,
        from_state=Ticket.State.NEW,
        to_state=ticket.state,
        details={"due_at": ticket.due_at.isoformat()},
    )
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, actor, to, dispatch: bool = False) -> Ticket:
    """Assign to an after-sales engineer, or (dispatch, by the aftersales manager) to the regional
    PM of the project's region for on-site support (000 §3.7)."""
    ticket = _locked_ticket(ticket)
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
    task = _sla_task(ticket)
    if task is not None:
        Task.objects.filter(pk=task.pk).update(assignee=to, claimed_by=to, claimed_at=timezone.now())
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
    _assignee_only(ticket, actor)
    ticket.start(at=timezone.now())
    ticket.save(update_fields=["state", "first_response_at"])
    audit_record(subject=ticket, action="ticket.start", label="开始处理", actor=actor, to_state=ticket.state)
    return ticket


@transaction.atomic
def ticket_pause(*, ticket: Ticket, actor, reason: str) -> Ticket:
    """Waiting for the customer: the SLA clock stops (the sweeper no longer sees the task)."""
    ticket = _locked_ticket(ticket)
    _assignee_only(ticket, actor)
    if not reason.strip():
        raise DomainError("请填写等待客户的原因")
    now = timezone.now()
    remaining = (
        elapsed(now, ticket.due_at, ticket.severity.clock) if ticket.due_at and ticket.due_at > now else timedelta(0)
    )
    ticket.pause(at=now, remaining_seconds=int(remaining.total_seconds()))
    ticket.save(update_fields=["state", "paused_at", "remaining_seconds"])
    task = _sla_task(ticket)
    if task is not None:
        Task.objects.filter(pk=task.pk).update(due_at=None, warn_at=None)
    audit_record(subject=ticket, action="ticket.pause", label="等待客户（暂停计时）", actor=actor, comment=reason)
    return ticket


def _resume_clock(ticket: Ticket, now) -> None:
    remaining = timedelta(seconds=ticket.remaining_seconds or 0)
    due = add_duration(now, remaining, ticket.severity.clock)
    warn_left = remaining - ticket.severity.duration * (100 - ticket.severity.warn_percent) / 100
    warn = add_duration(now, max(warn_left, timedelta(0)), ticket.severity.clock)
    ticket.resume(due_at=due)
    task = _sla_task(ticket)
    if task is not None:
        Task.objects.filter(pk=task.pk).update(due_at=due, warn_at=warn)


@transaction.atomic
def ticket_resume(*, ticket: Ticket, actor) -> Ticket:
    ticket = _locked_ticket(ticket)
    _assignee_only(ticket, actor)
    _resume_clock(ticket, timezone.now())
    ticket.save(update_fields=["state", "paused_at", "remaining_seconds", "due_at"])
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
    _assignee_only(ticket, actor)
    if not resolution.strip():
        raise DomainError("请填写解决方案")
    now = timezone.now()
    if ticket.state == Ticket.State.WAITING_CUSTOMER:
        _resume_clock(ticket, now)
    ticket.resolve(at=now, resolution=resolution)
    ticket.save(
        update_fields=["state", "resolution", "resolved_at", "sla_met", "paused_at", "remaining_seconds", "due_at"]
    )
    for task in open_tasks_for(ticket).filter(step__in=["ticket.sla", "ticket.reopened"]):
        task_close(task=task, actor=actor, outcome="resolved")
    audit_record(
        subject=ticket,
        action="ticket.resolve",
        label="已解决",
        actor=actor,
        to_state=ticket.state,
        comment=resolution,
        details={"sla_met": ticket.sla_met},
    )
    return ticket


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, actor, reason: str) -> Ticket:
    ticket = _locked_ticket(ticket)
    if not _is_aftersales(actor):
        raise PermissionDenied("只有售后人员可以重开问题")
    if not reason.strip():
        raise DomainError("请填写重开原因")
    ticket.reopen()
    ticket.save(update_fields=["state"])
    if ticket.assignee is not None:
        task_open(
            subject=ticket,
            step="ticket.reopened",
            step_label="售后问题（重开）",
            title=f"{ticket.number} {ticket.subject}",
            link=ticket.get_absolute_url(),
            assignee=ticket.assignee,
            policy=None,
        )
    audit_record(
        subject=ticket, action="ticket.reopen", label="重开", actor=actor, comment=reason, to_state=ticket.state
    )
    return ticket


@transaction.atomic
def ticket_close(*, ticket: Ticket, actor, confirmation: str) -> Ticket:
    """Closed once the reporter confirms the fix (recorded by after-sales)."""
    ticket = _locked_ticket(ticket)
    if not _is_aftersales(actor) and ticket.assignee_id != actor.pk:
        raise PermissionDenied("只有售后人员可以关闭问题")
    if not confirmation.strip():
        raise DomainError("请记录申报人的确认情况")
    ticket.close(at=timezone.now())
    ticket.save(update_fields=["state", "closed_at"])
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
