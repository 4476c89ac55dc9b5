"""The notification list (通知) in the shared list pattern (pmis/lists.py)."""

from pmis.lists import Column, ListSpec, Sort

NOTIFICATIONS = ListSpec(
    title="通知",
    sorts={"created": Sort("时间", ("created_at", "id"))},  # notify_recipient_recent
    default_sort="-created",
    search_fields=("title", "body"),
    keyword_label="标题 / 内容",
    columns=(
        Column("标题", lambda n: n.title),
        Column("内容", lambda n: n.body),
        Column("时间", lambda n: n.created_at),
        Column("已读", lambda n: "已读" if n.read_at else "未读"),
    ),
)
