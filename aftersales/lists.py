"""The ticket list (售后问题) in the shared list pattern (pmis/lists.py)."""

from pmis.lists import Column, ListSpec, Sort

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
)
