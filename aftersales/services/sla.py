"""The clocks of a ticket (003 售后 SLA, 004 §8.1.2), as rules the ticket services apply:

- triage (分级) is due a policy's time after registration (售后问题分级);
- first response (首次响应) is due the severity's response target after the report;
- resolution (解决) is due the severity's time after the report, or after the latest reopen;
- waiting for the customer stops the resolution clock; resuming gives back what was left, but a
  clock that had already run out stays run out (a breach is sticky) and a due time never moves
  earlier;
- a 申报时间 may not lie in the future, nor further back than the back-dating policy allows."""

from datetime import datetime, timedelta

from approvals.errors import DomainError
from pmis import reference
from pmis.worktime.calendar import add_duration, elapsed
from pmis.worktime.display import duration_text
from pmis.worktime.models import SlaPolicy
from pmis.worktime.services import BACKDATE_POLICY

from ..models import Ticket


def reported_at_check(reported_at: datetime, *, now: datetime) -> timedelta:
    """Refuse a 申报时间 in the future or beyond the back-dating bound; return how far it lies back."""
    if reported_at > now:
        raise DomainError("申报时间不能晚于当前时间")
    backdated = now - reported_at
    bound = reference.policy(BACKDATE_POLICY)
    if bound is not None and elapsed(reported_at, now, bound.clock) > bound.duration:
        raise DomainError(
            f"申报时间最多可早于登记时间 {duration_text(bound.duration)}（时限策略“{bound.name}”），请核实申报时间"
        )
    return backdated


def resolution_deadlines(severity: SlaPolicy, start: datetime) -> tuple[datetime, datetime]:
    """The resolution due time and its warning point, counted from `start` on the severity's clock."""
    due = add_duration(start, severity.duration, severity.clock)
    warn = add_duration(start, severity.duration * severity.warn_percent / 100, severity.clock)
    return due, warn


def response_due(severity: SlaPolicy, reported_at: datetime) -> datetime | None:
    if not severity.response_minutes:
        return None
    return add_duration(reported_at, severity.response_duration, severity.response_clock)


def remaining_at(ticket: Ticket, now: datetime) -> timedelta:
    """What is left of the resolution clock at `now` (nothing once it has run out)."""
    if ticket.due_at is None or ticket.due_at <= now:
        return timedelta(0)
    return elapsed(now, ticket.due_at, ticket.severity.clock)


def resumed_deadlines(ticket: Ticket, now: datetime) -> tuple[datetime, datetime]:
    """Due time and warning point when a paused clock runs again at `now`: what was left, counted
    from now. The model keeps a breached ticket's due time and never moves one earlier."""
    severity = ticket.severity
    remaining = timedelta(seconds=ticket.remaining_seconds or 0)
    due = add_duration(now, remaining, severity.clock)
    warn_left = remaining - severity.duration * (100 - severity.warn_percent) / 100
    warn = add_duration(now, max(warn_left, timedelta(0)), severity.clock)
    return due, warn
