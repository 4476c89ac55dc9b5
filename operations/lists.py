"""The operations lists in the shared list pattern (pmis/lists.py)."""

from pmis.lists import Column, ListSpec, Sort

INCIDENTS = ListSpec(
    title="突发事件",
    sorts={
        "number": Sort("事件编号", ("number",)),  # unique
        "reported": Sort("报告时间", ("reported_at", "id")),  # incident_reported
        "level": Sort("级别", ("level", "reported_at")),  # incident_level
        "state": Sort("状态", ("state", "reported_at")),  # incident_state
    },
    default_sort="-reported",
    search_fields=("number", "title", "project__name"),
    keyword_label="编号 / 事件 / 项目",
    columns=(
        Column("事件编号", lambda i: i.number),
        Column("事件", lambda i: i.title),
        Column("项目", lambda i: i.project.name),
        Column("级别", lambda i: i.get_level_display()),
        Column("状态", lambda i: i.get_state_display()),
        Column("处理人", lambda i: i.handler),
        Column("报告时间", lambda i: i.reported_at),
        Column("升级时间", lambda i: i.escalated_at),
        Column("恢复时间", lambda i: i.recovered_at),
    ),
)
