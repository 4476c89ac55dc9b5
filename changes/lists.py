"""The monthly BUG list (每月 BUG 修复记录清单) in the shared list pattern (pmis/lists.py)."""

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from pmis.html import conditional_escape
from pmis.lists import Column, ListSpec, Sort, row_url

from .models import Bug

_ORIGIN_LABELS = dict(Bug.Origin.choices)
_STATE_LABELS = dict(Bug.State.choices)


def bug_month_rows(bugs: list) -> SafeString:
    """The rows of the monthly BUG list written in one pass (one reverse for the page, not one
    per row, and no template lookups per cell). Same markup as the template wrote."""
    esc = conditional_escape
    detail = row_url("changes:bug")
    rows = []
    for b in bugs:
        if b.confirmed_late:
            confirmed = '<span class="overdue-text">超时</span>'
        else:
            confirmed = "按时" if b.confirmed_at else "待确认"
        filed = f"{timezone.localtime(b.filed_at):%Y-%m-%d %H:%M}" if b.filed_at else ""
        rows.append(
            f'\n    <tr><td data-label="项目">{esc(b.project.code)} {esc(b.project.name)}</td>'
            f'<td data-label="BUG 编号">{esc(b.number)}</td>'
            f'<td data-label="问题主题"><a href="{detail(b.pk)}">{esc(b.title)}</a></td>'
            f'\n      <td data-label="缺陷类型">{esc(_ORIGIN_LABELS.get(b.origin, b.origin))}</td>'
            f'<td data-label="状态">{esc(_STATE_LABELS.get(b.state, b.state))}</td>'
            f'<td data-label="提交时间">{filed}</td>'
            f'\n      <td data-label="确认">{confirmed}</td>'
            f'<td data-label="修复版本">{esc(b.fixed_version or "—")}</td></tr>\n  '
        )
    return mark_safe("".join(rows))


BUG_MONTH = ListSpec(
    title="BUG 清单",
    sorts={
        "number": Sort("BUG 编号", ("number",)),  # unique
        "filed": Sort("提交时间", ("filed_at", "id")),  # bug_recent
    },
    default_sort="filed",
    default_order=lambda bugs: bugs.order_by("project__code", "filed_at", "id"),
    search_fields=("number", "title", "project__code", "project__name"),
    keyword_label="编号 / 主题 / 项目",
    columns=(
        Column("项目编号", lambda b: b.project.code),
        Column("项目", lambda b: b.project.name),
        Column("BUG 编号", lambda b: b.number),
        Column("问题主题", lambda b: b.title),
        Column("缺陷类型", lambda b: b.get_origin_display()),
        Column("状态", lambda b: b.get_state_display()),
        Column("提交人", lambda b: str(b.filed_by)),
        Column("提交时间", lambda b: b.filed_at),
        Column("确认时间", lambda b: b.confirmed_at),
        Column("确认超时", lambda b: b.confirmed_late),
        Column("修复版本", lambda b: b.fixed_version),
        Column("核查结论", lambda b: b.check_note),
    ),
)
