from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils import timezone

from approvals.models import Task
from pmis.org.selectors import user_role_codes
from pmis.visibility import Reason, any_of

from .models import CLOCK_RUNNING, Ticket
from .services import AFTERSALES_ROLES
from .services.conversation import can_see_internal

QUEUES = {
    "mine": "我的问题",
    "unassigned": "待指派",
    "warning": "即将超时",
    "breached": "已超时",
    "open": "全部未关闭",
    "all": "全部",
}
OPEN_STATES = [s for s in Ticket.State.values if s not in (Ticket.State.RESOLVED, Ticket.State.CLOSED)]


def breached_q(now) -> Q:
    """Unresolved tickets past their resolution time limit — the SQL twin of Ticket.is_breached: the
    clock ran out while it ran (sticky through a pause), or it runs now past the due time."""
    return Q(resolved_at__isnull=True) & (
        Q(sla_breached_at__isnull=False) | Q(state__in=CLOCK_RUNNING, due_at__lte=now)
    )


def response_missed_open_q(now) -> Q:
    """Not yet responded to, and the response target has passed."""
    return Q(first_response_at__isnull=True, response_due_at__lte=now) & ~Q(state=Ticket.State.CLOSED)


def tickets_visible(user) -> QuerySet[Ticket]:
    reasons = ticket_visibility(user)
    return Ticket.objects.all() if reasons is None else Ticket.objects.filter(any_of(reasons))


def ticket_visibility(user) -> list[Reason] | None:
    """The reasons of tickets_visible (None: every ticket), for the search (pmis/visibility.py)."""
    if user.is_superuser or user_role_codes(user) & AFTERSALES_ROLES:
        return None
    return [Reason(Q(assignee=user) | Q(created_by=user))]


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
        tickets = tickets.filter(breached_q(now))
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


# The formula of every figure, as the metrics page states it (口径说明).
FORMULAS = (
    ("问题数", "所选月份（按申报时间）、区域内登记的问题申报单数。"),
    (
        "SLA 达成率",
        "SLA 达成数 ÷（已解决数 + 未解决但已超时数）。SLA 达成：最近一次解决时未超过解决时限。"
        "未解决但已超过解决时限的问题计为未达成，不因尚未解决而不计入。",
    ),
    ("问题解决率", "已解决数 ÷ 问题数。已解决：当前状态为已解决或已关闭；重开后在再次解决前计为未解决。"),
    (
        "首次响应达成率",
        "首次响应达成数 ÷（已响应数 + 未响应但已超过响应时限数）。首次响应：处理人点击“开始处理”的时间；"
        "响应时限自申报时间起按问题级别的响应时限计算（004 §8.1.2：4 个工作小时）。未分级的问题不计入。",
    ),
    ("平均转单时长", "已指派问题的（首次指派时间 − 申报时间）的平均值，按自然时间计，单位小时。"),
    ("重开", "重开过的问题数；括号内为重开总次数。重开后按问题级别自重开时间起重新计算解决时限。"),
    (
        "解决时限",
        "自申报时间（重开后为重开时间）起按问题级别的时限计算；等待客户期间暂停计时，恢复后按暂停时剩余时长继续。"
        "已超时的问题暂停、恢复或解决都不会改变其超时结论，恢复也不会把解决时限提前。",
    ),
)


def sla_metrics(*, month: date | None = None, region=None, group_by: str = "region", now=None) -> dict:
    """SLA figures (003 度量考核), each stated in FORMULAS: attainment, resolution rate, first-response
    attainment, average transfer time, reopens, counts by severity; grouped by region or assignee.

    Read from the monthly roll-up the ticket services keep (aftersales.TicketMonthStat), plus
    what only the clock decides, counted live through partial indexes: clocks run out since the
    sweep last marked them, and response targets passed without a response. Three queries, as
    cheap with ten times the tickets."""
    from .models import TicketMonthStat
    from .services.rollup import FIELDS

    now = now or timezone.now()
    stats = TicketMonthStat.objects.all()
    breach_live_q = Q(resolved_at__isnull=True, sla_breached_at__isnull=True, state__in=CLOCK_RUNNING, due_at__lte=now)
    response_live_q = response_missed_open_q(now)
    tickets_live = Ticket.objects.all()
    if month is not None:
        start, end = _month_bounds(month)
        stats = stats.filter(month=month.replace(day=1))
        tickets_live = tickets_live.filter(reported_at__gte=start, reported_at__lt=end)
    if region is not None:
        stats = stats.filter(region=region)
        tickets_live = tickets_live.filter(project__region=region)
    key = {"region": "project__region__name", "assignee": "assignee__display_name"}[group_by]
    stat_key = {"region": "region__name", "assignee": "assignee__display_name"}[group_by]
    groups: dict = {}
    for row in stats.values(stat_key).annotate(**{f: Sum(f) for f in FIELDS}).order_by():
        label = row.pop(stat_key)
        if row["total"]:  # a group whose tickets have all moved to another shows nothing
            groups[label] = {key: label, **row, "response_missed_open": 0}
    # both clock counts in one pass: each side of the OR is served by its own partial index
    live = tickets_live.filter(breach_live_q | response_live_q).values(key).order_by()
    live = live.annotate(
        breached_open=Count("pk", filter=breach_live_q), response_missed_open=Count("pk", filter=response_live_q)
    )
    for row in live:
        group = groups.setdefault(row[key], {key: row[key], **dict.fromkeys(FIELDS, 0), "response_missed_open": 0})
        group["breached_open"] += row["breached_open"]
        group["response_missed_open"] += row["response_missed_open"]
    rows = [groups[label] for label in sorted(groups, key=lambda k: (k is None, k or ""))]
    overall = {f: sum(row[f] for row in rows) for f in (*FIELDS, "response_missed_open")}
    severities = list(
        stats.values("severity__name", "severity__duration_minutes")
        .annotate(n=Sum("total"))
        .filter(n__gt=0)
        .order_by("severity__duration_minutes")
    )
    for row in [*rows, overall]:
        row["label"] = row.get(key) or "（未指派）"
        transferred = row["transferred"]
        row["transfer"] = timedelta(microseconds=row["transfer_us"] / transferred) if transferred else None
        row["judged"] = row["resolved"] + row["breached_open"]
        row["attainment"] = row["met"] / row["judged"] if row["judged"] else None
        row["resolution_rate"] = row["resolved"] / row["total"] if row["total"] else None
        row["response_judged"] = row["responded"] + row["response_missed_open"]
        row["response_rate"] = row["response_met"] / row["response_judged"] if row["response_judged"] else None
        row["transfer_hours"] = row["transfer"].total_seconds() / 3600 if row["transfer"] else None
    return {"rows": rows, "overall": overall, "severities": severities, "formulas": FORMULAS}


def sla_metrics_from_tickets(*, month: date | None = None, region=None, group_by: str = "region", now=None) -> dict:
    """The same figures computed from the tickets themselves: what the roll-up must always equal
    (the tests compare them; `sla_rollup_rebuild --check` too)."""
    now = now or timezone.now()
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
        "breached_open": Count("pk", filter=breached_q(now)),
        "responded": Count("pk", filter=Q(first_response_at__isnull=False, response_due_at__isnull=False)),
        "response_met": Count("pk", filter=Q(first_response_at__lte=F("response_due_at"))),
        "response_missed_open": Count("pk", filter=response_missed_open_q(now)),
        "reopened": Count("pk", filter=Q(reopen_count__gt=0)),
        "reopens": Sum("reopen_count"),
        "transfer": Avg(transfer, filter=Q(first_assigned_at__isnull=False)),
    }
    key = {"region": "project__region__name", "assignee": "assignee__display_name"}[group_by]
    rows = list(tickets.values(key).annotate(**figures).order_by(key))
    overall = tickets.aggregate(**figures)
    for row in [*rows, overall]:
        row["label"] = row.get(key) or "（未指派）"
        row["reopens"] = row["reopens"] or 0
        row["judged"] = row["resolved"] + row["breached_open"]
        row["attainment"] = row["met"] / row["judged"] if row["judged"] else None
        row["resolution_rate"] = row["resolved"] / row["total"] if row["total"] else None
        row["response_judged"] = row["responded"] + row["response_missed_open"]
        row["response_rate"] = row["response_met"] / row["response_judged"] if row["response_judged"] else None
        row["transfer_hours"] = row["transfer"].total_seconds() / 3600 if row["transfer"] else None
    return {"rows": rows, "overall": overall}


def ticket_default_queue(user) -> str:
    """The queue a ticket list opens on: the 售后运维部经理 steers every open ticket, the others
    work their own."""
    return "open" if "aftersales_manager" in user_role_codes(user) else "mine"


def ticket_conversation(user, ticket: Ticket) -> list:
    """The ticket's replies, and its internal notes for the internal side only, oldest first, each
    with its author and attachments; three queries whatever the length."""
    comments = ticket.comments.select_related("author").prefetch_related("attachments__doc_type")
    if not can_see_internal(user):
        comments = comments.filter(internal=False)
    return list(comments)
