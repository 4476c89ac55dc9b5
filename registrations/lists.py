"""The registration lists in the shared list pattern (pmis/lists.py): 我的登记 and the approval
queue's two tabs. Every sort is served by an index (named beside it)."""

from django import forms
from django.db.models import QuerySet

from pmis.layout import BADGE_LIMIT
from pmis.lists import Column, ListSpec, Sort, keyword_filter

from .models import Registration, State
from .selectors import attach_registrations

SEARCH_FIELDS = ("number", "customer_name", "customer_short_name", "contract_number")
KEYWORD_LABEL = "登记号 / 客户 / 合同编号"


class MineFilterForm(forms.Form):
    state = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部状态"), *State.choices],
        error_messages={"invalid_choice": "没有“%(value)s”这个状态"},
    )


MINE = ListSpec(
    title="我的登记",
    sorts={
        "created": Sort("创建时间", ("created_at", "id")),  # search_registration_created
        "submitted": Sort("提交时间", ("submitted_at", "id")),  # registration_submitted
        "number": Sort("登记号", ("number",)),  # unique
    },
    default_sort="-created",
    search_fields=SEARCH_FIELDS,
    keyword_label=KEYWORD_LABEL,
    columns=(
        Column("登记号", lambda r: r.number or "（草稿）"),
        Column("标题", lambda r: r.title),
        Column("类别", lambda r: r.get_kind_display()),
        Column("区域", lambda r: r.region),
        Column("责任销售", lambda r: r.owner),
        Column("状态", lambda r: r.get_state_display()),
        Column("提交时间", lambda r: r.submitted_at),
        Column("创建时间", lambda r: r.created_at),
        Column("更新时间", lambda r: r.updated_at),
    ),
)


def _tasks_matching(tasks: QuerySet, keyword: str) -> QuerySet:
    """Queue rows are inbox tasks: the keyword matches their registration."""
    registrations = keyword_filter(Registration.objects.all(), SEARCH_FIELDS, keyword)
    return tasks.filter(object_id__in=registrations.values("pk"))


_QUEUE_COLUMNS = (
    Column("登记号", lambda t: t.record.number if t.record else ""),
    Column("标题", lambda t: t.record.title if t.record else t.title),
    Column("类别", lambda t: t.record.get_kind_display() if t.record else ""),
    Column("区域", lambda t: t.record.region if t.record else ""),
    Column("责任销售", lambda t: t.record.owner if t.record else ""),
    Column("环节", lambda t: t.step_label),
)
OUTCOMES = {"approve": "通过", "return": "退回", "reject": "驳回"}

QUEUE_WAITING = ListSpec(
    title="待我审批的登记",
    sorts={
        "due": Sort("截止时间", ("due_at", "id")),  # task_to_escalate (open tasks by due time)
        "arrived": Sort("到达时间", ("created_at", "id")),  # search_task_created
    },
    default_sort="due",
    search=_tasks_matching,
    keyword_label=KEYWORD_LABEL,
    prepare=attach_registrations,
    columns=(*_QUEUE_COLUMNS, Column("到达时间", lambda t: t.created_at), Column("截止时间", lambda t: t.due_at)),
    count_limit=BADGE_LIMIT,  # part of the inbox: "99+" past that, as the inbox's badge
)

QUEUE_DECIDED = ListSpec(
    title="我已审批的登记",
    sorts={"closed": Sort("处理时间", ("closed_at", "id"))},  # search_task_closed
    default_sort="-closed",
    search=_tasks_matching,
    keyword_label=KEYWORD_LABEL,
    prepare=attach_registrations,
    columns=(
        *_QUEUE_COLUMNS,
        Column("结果", lambda t: OUTCOMES.get(t.outcome, t.outcome)),
        Column("处理时间", lambda t: t.closed_at),
    ),
)
