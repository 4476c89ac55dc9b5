"""The ticket list (售后问题) in the shared list pattern (pmis/lists.py)."""

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from pmis.html import conditional_escape
from pmis.lists import Column, ListSpec, Sort, figure_limit

from .models import Ticket

_STATE_LABELS = dict(Ticket.State.choices)


def _minute(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def ticket_rows(tickets: list) -> SafeString:
    """The rows of 售后问题 written in one pass (each ticket's `url` and `overdue` set by the
    view): the template loop resolved some twenty variables per row. Same markup as before."""
    esc = conditional_escape
    rows = []
    for t in tickets:
        overdue = ' <span class="overdue-text">已超时</span>' if t.overdue else ""
        severity = t.severity.name if t.severity is not None else ""
        rows.append(
            f'\n    <tr class="{"overdue" if t.overdue else ""}"><td>{esc(t.number)}</td>'
            f'<td><a href="{esc(t.url)}">{esc(t.subject)}</a></td><td>{esc(t.project.name)}</td>'
            f"<td>{esc(t.project.region)}</td>\n      <td>{esc(severity or '未分级')}</td>"
            f"<td>{esc(_STATE_LABELS.get(t.state, t.state))}</td><td>{esc(t.assignee) if t.assignee else '—'}</td>"
            f"\n      <td>{_minute(t.reported_at)}</td><td>{_minute(t.due_at) or '—'}{overdue}</td></tr>\n  "
        )
    return mark_safe("".join(rows))


TICKETS = ListSpec(
    title="售后问题",
    sorts={
        "number": Sort("单号", ("number",)),  # unique
        "reported": Sort("申报时间", ("reported_at", "id")),  # ticket_reported
        "created": Sort("登记时间", ("created_at", "id")),  # ticket_created
        "due": Sort("解决时限", ("due_at", "id")),  # search_ticket_due
    },
    default_sort="due",
    # unsorted, the queue keeps its own order: soonest due first, then the newest
    default_order=lambda tickets: tickets,
    search_fields=("number", "subject", "reporting_unit"),
    keyword_label="单号 / 主题 / 单位",
    columns=(
        Column("单号", lambda t: t.number),
        Column("主题", lambda t: t.subject),
        Column("项目", lambda t: t.project.name),
        Column("区域", lambda t: t.project.region),
        Column("申报单位", lambda t: t.reporting_unit),
        Column("级别", lambda t: t.severity.name if t.severity else "未分级"),
        Column("状态", lambda t: t.get_state_display()),
        Column("处理人", lambda t: t.assignee or ""),
        Column("申报时间", lambda t: t.reported_at),
        Column("解决时限", lambda t: t.due_at),
    ),
    count_limit=figure_limit,  # a long list: counted as far as the departments' figures
)
