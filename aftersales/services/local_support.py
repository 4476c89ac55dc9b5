"""当地技术支持 (000 §3.6): an after-sales problem that needs a local engineer goes, at the request of
the 系统服务部 engineer working it, to the 售后运维部经理, who dispatches it through the platform
to the PM of the project's region (ticket_assign with dispatch, which answers the request) or
declines with a reason, back to the engineer."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from approvals.errors import DomainError
from approvals.models import Task
from approvals.selectors import open_tasks_for
from approvals.services import task_close, task_open
from pmis.audit.services import audit_record
from pmis.notify.services import notify
from pmis.org.selectors import user_role_codes

from ..models import Ticket
from .tickets import _locked_ticket

SUPPORT_STEP = "ticket.local_support"
SUPPORT_LABEL = "当地技术支持派单"
# States in which the engineer is working the ticket and may ask for local support.
WORKING = (Ticket.State.ASSIGNED, Ticket.State.IN_PROGRESS, Ticket.State.WAITING_CUSTOMER, Ticket.State.REOPENED)


def support_request_of(ticket: Ticket) -> Task | None:
    """The open request for local support, if any."""
    return open_tasks_for(ticket).filter(step=SUPPORT_STEP).select_related("exclude_user").first()


def can_request_support(user, ticket: Ticket) -> bool:
    return (
        ticket.assignee_id == user.pk
        and not ticket.dispatched_to_pm
        and ticket.state in WORKING
        and "aftersales" in user_role_codes(user)
    )


def _is_manager(user) -> bool:
    return user.is_superuser or "aftersales_manager" in user_role_codes(user)


@transaction.atomic
def ticket_support_request(*, ticket: Ticket, actor, reason: str) -> Task:
    """The engineer working the ticket asks the 售后运维部经理 for a local engineer."""
    ticket = _locked_ticket(ticket)
    if not can_request_support(actor, ticket):
        raise PermissionDenied("只有正在处理该问题的系统服务部人员可以申请当地技术支持")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写需要当地技术支持的原因")
    if support_request_of(ticket) is not None:
        raise DomainError("已申请当地技术支持，等待售后运维部经理派单")
    task = task_open(
        subject=ticket,
        step=SUPPORT_STEP,
        step_label=SUPPORT_LABEL,
        title=f"{ticket.number} {ticket.subject}（{ticket.project.region}：{reason}）",
        link=ticket.get_absolute_url() + "#support-card",
        group="aftersales_manager",
        exclude_user=actor,
    )
    audit_record(subject=ticket, action="ticket.support_request", label="申请当地技术支持", actor=actor, comment=reason)
    return task


def support_answered_by_dispatch(ticket: Ticket, actor) -> None:
    """Called by ticket_assign(dispatch=True) inside its transaction: the dispatch answers the request."""
    for task in open_tasks_for(ticket).filter(step=SUPPORT_STEP):
        task_close(task=task, actor=actor, outcome="dispatched")


@transaction.atomic
def ticket_support_decline(*, ticket: Ticket, actor, reason: str) -> Ticket:
    """The manager will not send a local engineer: the ticket stays with the engineer, who is told why."""
    ticket = _locked_ticket(ticket)
    if not _is_manager(actor):
        raise PermissionDenied("只有售后运维部经理可以处理当地技术支持申请")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("不派当地支持时请填写原因")
    task = support_request_of(ticket)
    if task is None:
        raise DomainError("该问题没有待处理的当地技术支持申请")
    requester = task.exclude_user
    task_close(task=task, actor=actor, outcome="support_declined")
    audit_record(subject=ticket, action="ticket.support_decline", label="不派当地技术支持", actor=actor, comment=reason)
    notify(
        recipients=[u for u in (requester, ticket.assignee) if u is not None],
        title=f"当地技术支持未派单：{ticket.number} {ticket.subject}",
        body=f"{actor}：{reason}",
        link=ticket.get_absolute_url(),
        subject=ticket,
        kind="ticket_support_declined",
    )
    return ticket
