"""通讯录 in the shared list pattern (pmis/lists.py). Every sort is served by an index (named beside it)."""

from django.utils.safestring import SafeString, mark_safe

from pmis.html import conditional_escape
from pmis.lists import Column, ListSpec, Sort

from .roles import role_label


def with_role_labels(people: list) -> list:
    """Each person's roles as the page and the export show them (groups are prefetched)."""
    for person in people:
        person.role_labels = [role_label(g.name) for g in person.groups.all()]
    return people


def directory_rows(people: list) -> SafeString:
    """The rows of 通讯录 written in one pass: the template loop resolved some fifteen variables
    per person. Same markup as the template wrote."""
    esc = conditional_escape
    rows = []
    for person in people:
        phone = f'<a href="tel:{esc(person.phone)}">{esc(person.phone)}</a>' if person.phone else "—"
        email = f'<a href="mailto:{esc(person.email)}">{esc(person.email)}</a>' if person.email else "—"
        rows.append(
            f"\n    <tr><td>{esc(person.display_name or '—')}</td><td>{esc(person.username)}</td>"
            f"<td>{esc(person.department) if person.department else '—'}</td>"
            f"<td>{esc(person.region) if person.region else '—'}</td>"
            f"<td>{'、'.join(esc(label) for label in person.role_labels) or '—'}</td>"
            f"<td>{phone}</td><td>{email}</td></tr>\n  "
        )
    return mark_safe("".join(rows))


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
