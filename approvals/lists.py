"""The inbox (我的待办) in the shared list pattern (pmis/lists.py)."""

from pmis.layout import BADGE_LIMIT
from pmis.lists import Column, ListSpec, Sort

from .rows import waiting_label

INBOX = ListSpec(
    title="我的待办",
    sorts={
        "due": Sort("截止时间", ("due_at", "id")),  # task_to_escalate (open tasks by due time)
        "arrived": Sort("到达时间", ("created_at", "id")),  # search_task_created
    },
    default_sort="due",
    search_fields=("title", "step_label"),
    keyword_label="事项 / 环节",
    columns=(
        Column("事项", lambda t: t.title),
        Column("环节", lambda t: t.step_label),
        Column("等待", waiting_label),
        Column("认领人", lambda t: t.claimed_by or ""),
        Column("到达时间", lambda t: t.created_at),
        Column("截止时间", lambda t: t.due_at),
    ),
    count_limit=BADGE_LIMIT,  # the inbox reads "99+" past that, as its badge does
)


def _copy_outcome(copy) -> str:
    from .models import OUTCOME_LABELS

    return OUTCOME_LABELS.get(copy.outcome, copy.outcome) if copy.outcome else "进行中"


COPIED = ListSpec(
    title="抄送我的",
    sorts={"copied": Sort("抄送时间", ("created_at", "id"))},  # cc_by_user
    default_sort="-copied",
    search_fields=("title", "note"),
    keyword_label="事项 / 附言",
    columns=(
        Column("事项", lambda c: c.title),
        Column("抄送者", lambda c: c.added_by or "流程"),
        Column("附言", lambda c: c.note),
        Column("抄送时间", lambda c: c.created_at),
        Column("最新结果", _copy_outcome),
    ),
)
