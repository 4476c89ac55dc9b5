"""The project lists (全部项目 / 我的项目) in the shared list pattern (pmis/lists.py)."""

from pmis.lists import Column, ListSpec, Sort


def _with_health(projects: list) -> list:
    from planning.selectors import attach_health  # 项目健康度: computed from the plan and the risks

    return attach_health(projects)


PROJECTS = ListSpec(
    title="项目列表",
    sorts={
        "code": Sort("项目编号", ("code",)),  # unique
        "name": Sort("项目名称", ("name", "id")),  # search_project_name
        "created": Sort("立项时间", ("created_at", "id")),  # project_recent
    },
    default_sort="-created",
    search_fields=("code", "name", "customer_name"),
    keyword_label="项目编号 / 名称 / 客户",
    columns=(
        Column("项目编号", lambda p: p.code),
        Column("项目名称", lambda p: p.name),
        Column("类别", lambda p: p.get_kind_display()),
        Column("客户", lambda p: p.customer_name),
        Column("区域", lambda p: p.region),
        Column("阶段", lambda p: p.get_state_display()),
        Column("健康度", lambda p: p.health.label),
        Column("项目经理", lambda p: p.pm or ""),
        Column("立项依据", lambda p: p.basis),
        Column("立项时间", lambda p: p.created_at),
    ),
    prepare=_with_health,
)
