from datetime import date, datetime, time

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from approvals.models import Task
from pmis.org.selectors import user_role_codes

from .models import Ticket
from .services import AFTERSALES_ROLES

QUEUES = {
    "mine": "我的问题",
    "unassigned": "待指派",
    "warning": "即将超时",
    "breached": "已超时",
    "open": "全部未关闭",
    "all": "全部",
}
OPEN_STATES = [s for s in Ticket.State.values if s not in (Ticket.State.RESOLVED, Ticket.State.CLOSED)]


def tickets_visible(user) -> QuerySet[Ticket]:
    if user.is_superuser or user_role_codes(user) & AFTERSALES_ROLES:
        return Ticket.objects.all()
    return Ticket.objects.filter(Q(assignee=user) | Q(created_by=user))


def ticket_queue(user, queue: str) -> QuerySet[Ticket]:
    tickets = tickets_visible(user)
    now = timezone.now()
    sla_tasks = Task.objects.filter(step="ticket.sla", state=Task.State.OPEN)
    if queue == "mine":
        tickets = tickets.filter(assignee=user).exclude(state=Ticket.State.CLOSED)
    elif queue == "unassigned":
        tickets = tickets.filter(state__in=[Ticket.State.NEW, Ticket.State.TRIAGED])
    elif queue == "warning":
        warned = sla_tasks.filter(warn_at__lte=now, due_at__gt=now).values("object_id")
        tickets = tickets.filter(pk__in=warned)
    elif queue == "breached":
        tickets = tickets.filter(pk__in=sla_tasks.filter(due_at__lte=now).values("object_id"))
    elif queue == "open":
        tickets = tickets.filter(state__in=OPEN_STATES)
    return tickets.select_related("project__region", "severity", "assignee").order_by(
        F("due_at").asc(nulls_last=True), "-created_at"
    )


def _month_bounds(month: date):
    """The month as a range of aware datetimes (Asia/Shanghai), so the reported_at index serves it."""
    first = month.replace(day=1)
    following = (
        first.replace(year=first.year + 1, month=1) if first.month == 12 else first.replace(month=first.month + 1)
    )
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(first, time.min), tz),
        timezone.make_aware(datetime.combine(following, time.min), tz),
    )


def sla_metrics(*, month: date | None = None, region=None, group_by: str = "region") -> dict:
    """SLA figures (003 度量考核): attainment rate (resolved within SLA / resolved), resolution
    rate (resolved / all), average transfer time (report → first assignment), counts by
    severity; grouped by region or assignee."""
    tickets = Ticket.objects.all()
    if month is not None:
        start, end = _month_bounds(month)
        tickets = tickets.filter(reported_at__gte=start, reported_at__lt=end)
    if region is not None:
        tickets = tickets.filter(project__region=region)
    transfer = ExpressionWrapper(F("first_assigned_at") - F("reported_at"), output_field=DurationField())
    figures = {
        "total": Count("pk"),
        "resolved": Count("pk", filter=Q(resolved_at__isnull=False)),
        "met": Count("pk", filter=Q(sla_met=True)),
        "transfer": Avg(transfer, filter=Q(first_assigned_at__isnull=False)),
    }
    key = {"region": "project__region__name", "assignee": "assignee__display_name"}[group_by]
    rows = list(tickets.values(key).annotate(**figures).order_by(key))
    overall = tickets.aggregate(**figures)
    severities = list(
        tickets.values("severity__name", "severity__duration_minutes")
        .annotate(n=Count("pk"))
        .order_by("severity__duration_minutes")
    )
    for row in [*rows, overall]:
        row["label"] = row.get(key) or "（未指派）"
        row["attainment"] = row["met"] / row["resolved"] if row["resolved"] else None
        row["resolution_rate"] = row["resolved"] / row["total"] if row["total"] else None
        row["transfer_hours"] = row["transfer"].total_seconds() / 3600 if row["transfer"] else None
    return {"rows": rows, "overall": overall, "severities": severities}
