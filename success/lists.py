"""The lists of customer success in the shared list pattern (pmis/lists.py)."""

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from pmis.html import conditional_escape
from pmis.lists import Column, ListSpec, Sort, figure_limit, row_url

from .models import Licence

SERVICE_REQUESTS = ListSpec(
    title="客户服务申请",
    sorts={
        "number": Sort("单号", ("number",)),  # unique
        "created": Sort("申请时间", ("created_at", "id")),  # service_created
        "due": Sort("办理时限", ("due_at", "id")),  # service_due
    },
    default_sort="due",
    search_fields=("number", "customer_name"),
    keyword_label="单号 / 客户",
    columns=(
        Column("单号", lambda r: r.number),
        Column("服务类型", lambda r: r.get_type_display()),
        Column("客户", lambda r: r.customer_name),
        Column("项目", lambda r: r.project.name if r.project else ""),
        Column("办理部门", lambda r: r.get_team_display()),
        Column("状态", lambda r: r.get_state_display()),
        Column("办理人", lambda r: r.handler or ""),
        Column("申请时间", lambda r: r.created_at),
        Column("办理时限", lambda r: r.due_at),
        Column("办理结果", lambda r: r.result),
    ),
    count_limit=figure_limit,  # a long list: counted as far as the departments' figures
)

CLOUD_ORDERS = ListSpec(
    title="云产品下单申请",
    sorts={
        "number": Sort("单号", ("number",)),  # unique
        "created": Sort("申请时间", ("created_at", "id")),  # cloud_order_created
    },
    default_sort="-created",
    search_fields=("number", "customer_name"),
    keyword_label="单号 / 客户",
    columns=(
        Column("单号", lambda o: o.number),
        Column("客户", lambda o: o.customer_name),
        Column("项目", lambda o: o.project.name if o.project else ""),
        Column("产品", lambda o: "、".join(str(i) for i in o.items.all())),
        Column("授权期限", lambda o: f"{o.licence_starts_on:%Y-%m-%d} 至 {o.licence_ends_on:%Y-%m-%d}"),
        Column("收款情况", lambda o: o.get_payment_display()),
        Column("状态", lambda o: o.get_state_display()),
        Column("开通部门", lambda o: o.get_team_display() if o.team else ""),
        Column("申请人", lambda o: o.filed_by),
        Column("申请时间", lambda o: o.created_at),
    ),
)

LICENCES = ListSpec(
    title="授权台账",
    sorts={
        "expires": Sort("到期日", ("expires_on", "id")),  # licence_expires
        "customer": Sort("客户", ("customer_name",)),  # licence_customer
    },
    default_sort="expires",
    search_fields=("customer_name", "product__name"),
    keyword_label="客户 / 产品",
    columns=(
        Column("客户", lambda lic: lic.customer_name),
        Column("项目", lambda lic: lic.project.name if lic.project else ""),
        Column("产品", lambda lic: lic.product.name),
        Column("数量", lambda lic: lic.quantity),
        Column("起始日", lambda lic: lic.starts_on),
        Column("到期日", lambda lic: lic.expires_on),
        Column("来源", lambda lic: lic.get_source_display()),
    ),
)


_SOURCE_LABELS = dict(Licence.Source.choices)


def licence_rows(licences: list, *, can_edit: bool, csrf_token: str, next_path: str) -> SafeString:
    """The rows of 授权台账 written in one pass (each row's `days_left` set by the view): the
    template loop resolved some thirty variables and reversed three URLs per row. Same markup."""
    esc = conditional_escape
    marker = 2147483647
    tab_head, tab_tail = reverse("projects:tab", args=[marker, "licences"]).split(str(marker), 1)
    download, term = row_url("documents:download"), row_url("success:licence_term")
    csrf, next_path = esc(csrf_token), esc(next_path)
    rows = []
    for lic in licences:
        days_left = lic.days_left
        project = lic.project
        project_cell = (
            f'<a href="{tab_head}{project.pk}{tab_tail}">{esc(project.name)}</a>' if project is not None else "—"
        )
        if days_left < 0:
            left = '<span class="overdue-text">已过期</span>'
        elif days_left <= 60:
            left = f'<span class="overdue-text">剩 {days_left} 天</span>'
        else:
            left = ""
        file = lic.file
        file_cell = f'<a href="{download(file.pk)}">{esc(file.original_name)}</a>' if file is not None else "—"
        starts = f"{lic.starts_on:%Y-%m-%d}" if lic.starts_on else ""
        expires = f"{lic.expires_on:%Y-%m-%d}" if lic.expires_on else ""
        edit = ""
        if can_edit:
            edit = (
                f'<td><form method="post" action="{term(lic.pk)}" class="inline-form">'
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
                f'<input type="hidden" name="next" value="{next_path}">'
                f'<input type="date" name="starts_on" value="{starts}" aria-label="起始日">'
                f'<input type="date" name="expires_on" value="{expires}" aria-label="到期日">'
                '<button type="submit">保存</button></form></td>'
            )
        rows.append(
            f'\n    <tr class="{"overdue" if days_left < 0 else ""}"><td>{esc(lic.customer_name)}</td>'
            f"<td>{project_cell}</td><td>{esc(lic.product)}</td><td>{esc(lic.quantity)}</td>"
            f"\n      <td>{starts}</td><td>{expires} {left}</td>"
            f"\n      <td>{esc(_SOURCE_LABELS.get(lic.source, lic.source))}</td><td>{file_cell}</td>"
            f"\n      {edit}</tr>\n  "
        )
    return mark_safe("".join(rows))
