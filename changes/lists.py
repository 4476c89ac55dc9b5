"""The monthly BUG list (每月 BUG 修复记录清单) in the shared list pattern (pmis/lists.py)."""

from pmis.lists import Column, ListSpec, Sort

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
