"""The monthly SLA roll-up (aftersales.TicketMonthStat) the metrics read instead of the tickets.

A ticket contributes one vector of counts to the row of its month (申报时间, local time), region,
assignee and severity. Every ticket service takes the ticket's contribution when it locks it and
applies the difference after saving it, in the same transaction, with one additive
INSERT … ON CONFLICT DO UPDATE per row touched (safe when two services change tickets of the
same row at once). `rollup_rebuild` recomputes every row from the tickets with one statement.

What depends on the clock, not on a change, is kept small rather than stored: a resolution clock
that ran out is marked on the ticket by the minute's sweep (`tickets_breach_mark`), so only the
last minute's breaches are counted live; a first-response target passed without a response is
counted live among the tickets not yet started (partial index ticket_response_pending)."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from pmis.audit.services import audit_record_many

from ..models import CLOCK_RUNNING, Ticket, TicketMonthStat

_MICROSECOND = timedelta(microseconds=1)
FIELDS = (
    "total", "resolved", "met", "breached_open", "responded", "response_met", "reopened", "reopens",
    "transferred", "transfer_us",
)  # fmt: skip


@dataclass(frozen=True)
class Contribution:
    key: tuple  # (month, region_id, assignee_id, severity_id)
    counts: tuple  # in the order of FIELDS


def ticket_month(reported_at: datetime) -> date:
    return timezone.localtime(reported_at).date().replace(day=1)


def contribution(ticket: Ticket) -> Contribution:
    """What one ticket adds to the roll-up, the same figures sla_metrics' FORMULAS count."""
    responded = ticket.first_response_at is not None and ticket.response_due_at is not None
    transfer = ticket.first_assigned_at - ticket.reported_at if ticket.first_assigned_at is not None else None
    counts = (
        1,
        int(ticket.resolved_at is not None),
        int(ticket.sla_met is True),
        int(ticket.resolved_at is None and ticket.sla_breached_at is not None),
        int(responded),
        int(responded and ticket.first_response_at <= ticket.response_due_at),
        int(ticket.reopen_count > 0),
        ticket.reopen_count,
        int(transfer is not None),
        (transfer // _MICROSECOND) if transfer is not None else 0,
    )
    region_id = ticket.project.region_id
    return Contribution((ticket_month(ticket.reported_at), region_id, ticket.assignee_id, ticket.severity_id), counts)


def _add(key: tuple, counts: tuple) -> None:
    if not any(counts):
        return
    if connection.vendor != "postgresql":
        # the embedded default (SQLite) has no unique key over nullable columns to conflict on;
        # its writers take the database one at a time, so an update, else an insert, is safe
        match = dict(zip(("month", "region_id", "assignee_id", "severity_id"), key, strict=True))
        added = {name: F(name) + count for name, count in zip(FIELDS, counts, strict=True)}
        if not TicketMonthStat.objects.filter(**match).update(**added):
            TicketMonthStat.objects.create(**match, **dict(zip(FIELDS, counts, strict=True)))
        return
    table = connection.ops.quote_name(TicketMonthStat._meta.db_table)
    columns = ", ".join(FIELDS)
    updates = ", ".join(f"{f} = {table}.{f} + EXCLUDED.{f}" for f in FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (month, region_id, assignee_id, severity_id, {columns}) "
            f"VALUES (%s, %s, %s, %s, {', '.join(['%s'] * len(FIELDS))}) "
            f"ON CONFLICT ON CONSTRAINT ticket_month_stat_key DO UPDATE SET {updates}",
            [*key, *counts],
        )


def rollup_apply(before: Contribution | None, ticket: Ticket) -> None:
    """Move the ticket's contribution from what it was (`before`, None for a new ticket) to what
    it is now. Call inside the transaction that saved the ticket."""
    after = contribution(ticket)
    if before is not None and before.key == after.key:
        _add(after.key, tuple(a - b for a, b in zip(after.counts, before.counts, strict=True)))
        return
    if before is not None:
        _add(before.key, tuple(-c for c in before.counts))
    _add(after.key, after.counts)


def _mark_breached(table: str, now: datetime) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET sla_breached_at = due_at WHERE id IN ("
            f"SELECT id FROM {table} WHERE resolved_at IS NULL AND sla_breached_at IS NULL "
            "AND state = ANY(%s) AND due_at <= %s FOR UPDATE SKIP LOCKED) RETURNING id",
            [list(CLOCK_RUNNING), now],
        )
        return [row[0] for row in cursor.fetchall()]


def tickets_breach_mark(*, now: datetime | None = None) -> int:
    """Mark the tickets whose running resolution clock has run out (the sticky breach the pause
    and the resolution also record), and count them in the roll-up. Selected through the
    partial index ticket_breach_unmarked: its cost follows what has just run out."""
    now = now or timezone.now()
    table = connection.ops.quote_name(Ticket._meta.db_table)
    with transaction.atomic():
        if connection.vendor != "postgresql":
            # the embedded default (SQLite): its writers take the database one at a time
            due = Ticket.objects.filter(
                resolved_at__isnull=True, sla_breached_at__isnull=True, state__in=CLOCK_RUNNING, due_at__lte=now
            )
            ids = list(due.values_list("pk", flat=True))
            Ticket.objects.filter(pk__in=ids).update(sla_breached_at=F("due_at"))
        else:
            ids = _mark_breached(table, now)
        if not ids:
            return 0
        rows = (
            Ticket.objects.filter(pk__in=ids)
            .values("reported_at", "project__region_id", "assignee_id", "severity_id")
            .order_by()
        )
        grouped: dict[tuple, int] = {}
        for row in rows:
            key = (ticket_month(row["reported_at"]), row["project__region_id"], row["assignee_id"], row["severity_id"])
            grouped[key] = grouped.get(key, 0) + 1
        position = FIELDS.index("breached_open")
        for key, n in grouped.items():
            _add(key, tuple(n if i == position else 0 for i in range(len(FIELDS))))
        audit_record_many(model=Ticket, object_ids=ids, action="ticket.breach", label="超过解决时限")
    return len(ids)


def rollup_rebuild() -> int:
    """Recompute the roll-up from the tickets in one statement (after a bulk load, a data fix, a
    project moved to another region). Returns the number of rows."""
    stat = connection.ops.quote_name(TicketMonthStat._meta.db_table)
    ticket = connection.ops.quote_name(Ticket._meta.db_table)
    project = connection.ops.quote_name(Ticket._meta.get_field("project").related_model._meta.db_table)
    tz = timezone.get_current_timezone_name()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {stat}")
        cursor.execute(
            f"INSERT INTO {stat} (month, region_id, assignee_id, severity_id, {', '.join(FIELDS)}) "
            "SELECT date_trunc('month', t.reported_at AT TIME ZONE %s)::date, p.region_id, t.assignee_id, "
            "t.severity_id, count(*), "
            "count(*) FILTER (WHERE t.resolved_at IS NOT NULL), "
            "count(*) FILTER (WHERE t.sla_met), "
            "count(*) FILTER (WHERE t.resolved_at IS NULL AND t.sla_breached_at IS NOT NULL), "
            "count(*) FILTER (WHERE t.first_response_at IS NOT NULL AND t.response_due_at IS NOT NULL), "
            "count(*) FILTER (WHERE t.first_response_at <= t.response_due_at), "
            "count(*) FILTER (WHERE t.reopen_count > 0), "
            "coalesce(sum(t.reopen_count), 0), "
            "count(*) FILTER (WHERE t.first_assigned_at IS NOT NULL), "
            "coalesce(sum(floor(extract(epoch FROM t.first_assigned_at - t.reported_at) * 1000000)), 0) "
            f"FROM {ticket} t JOIN {project} p ON p.id = t.project_id GROUP BY 1, 2, 3, 4",
            [tz],
        )
        return cursor.rowcount
