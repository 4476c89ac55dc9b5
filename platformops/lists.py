from pmis.lists import Column, ListSpec, Sort

DEPLOYMENTS = ListSpec(
    title="云端部署申请",
    sorts={
        "number": Sort("单号", ("number",)),  # unique
        "created": Sort("申请时间", ("created_at", "id")),  # deployment_created
        "done": Sort("完成时间", ("done_at",)),  # deployment_done
    },
    default_sort="-created",
    search_fields=("number", "project__name", "project__code"),
    keyword_label="单号 / 项目",
    columns=(
        Column("单号", lambda d: d.number),
        Column("项目", lambda d: d.project.name),
        Column("区域", lambda d: d.project.region),
        Column("类型", lambda d: d.get_kind_display()),
        Column("状态", lambda d: d.get_state_display()),
        Column("申请人", lambda d: d.requested_by),
        Column("申请时间", lambda d: d.created_at),
        Column("服务器", lambda d: d.servers),
        Column("版本", lambda d: d.versions),
        Column("开始日期", lambda d: d.started_on),
        Column("完成日期", lambda d: d.finished_on),
    ),
)
