"""通讯录 in the shared list pattern (pmis/lists.py). Every sort is served by an index (named beside it)."""

from pmis.lists import Column, ListSpec, Sort

from .roles import role_label


def with_role_labels(people: list) -> list:
    """Each person's roles as the page and the export show them (groups are prefetched)."""
    for person in people:
        person.role_labels = [role_label(g.name) for g in person.groups.all()]
    return people


DIRECTORY = ListSpec(
    title="通讯录",
    sorts={
        "name": Sort("姓名", ("display_name", "id")),  # user_display_name
        "username": Sort("账号", ("username",)),  # unique
    },
    default_sort="name",
    search_fields=("display_name", "username", "phone", "email"),
    keyword_label="姓名 / 账号 / 手机号 / 邮箱",
    prepare=with_role_labels,
    columns=(
        Column("姓名", lambda u: u.display_name),
        Column("账号", lambda u: u.username),
        Column("部门", lambda u: u.department or ""),
        Column("区域", lambda u: u.region or ""),
        Column("角色", lambda u: "、".join(u.role_labels)),
        Column("手机号", lambda u: u.phone),
        Column("邮箱", lambda u: u.email),
    ),
)
