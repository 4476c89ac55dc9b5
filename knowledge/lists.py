from pmis.lists import Column, ListSpec, Sort

ARTICLES = ListSpec(
    title="知识库",
    sorts={
        "number": Sort("编号", ("number",)),  # unique
        "title": Sort("标题", ("title",)),  # article_title
        "created": Sort("创建时间", ("created_at", "id")),  # article_created
    },
    default_sort="-created",
    search_fields=("number", "title", "problem", "solution", "versions"),
    keyword_label="编号 / 标题 / 现象 / 方案 / 版本",
    prepare=lambda rows: rows,
    columns=(
        Column("编号", lambda a: a.number),
        Column("标题", lambda a: a.title),
        Column("问题现象", lambda a: a.problem),
        Column("原因", lambda a: a.cause),
        Column("解决方案", lambda a: a.solution),
        Column("适用版本", lambda a: a.versions),
        Column("作者", lambda a: a.created_by),
        Column("创建时间", lambda a: a.created_at),
    ),
)
