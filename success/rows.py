"""A group's request queue (运营客服组 / 售后支持组) written in one pass in Python, with the HTML
success/queue.html wrote per row: the template language's lookups, display methods, date
filters and a URL reversed per row were most of the page's time."""

from django.utils.safestring import SafeString, mark_safe

from approvals.rows import local_minute
from pmis.html import escape
from pmis.lists import row_url


def request_rows(requests) -> SafeString:
    """The <tr> of each service request (`overdue` set by the view), or the empty-list row."""
    if not requests:
        return mark_safe('<tr><td colspan="8" class="empty">没有服务申请</td></tr>')
    detail = row_url("success:request")
    parts = []
    for r in requests:
        project = r.project.name if r.project_id else ""
        due = escape(local_minute(r.due_at, "%Y-%m-%d %H:%M")) or "—"
        mark = ' <span class="overdue-text">已超时</span>' if r.overdue else ""
        parts.append(
            f'\n    <tr class="{"overdue" if r.overdue else ""}"><td><a href="{escape(detail(r.pk))}">'
            f"{escape(r.number)}</a></td><td>{escape(r.get_type_display())}</td><td>{escape(r.customer_name)}</td>"
            f"<td>{escape(project or '—')}</td>\n"
            f'      <td><span class="state">{escape(r.get_state_display())}</span></td>'
            f"<td>{escape(str(r.handler or '') or '—')}</td>"
            f"<td>{escape(local_minute(r.created_at, '%Y-%m-%d %H:%M'))}</td>\n"
            f"      <td>{due}{mark}</td></tr>\n  "
        )
    return mark_safe("".join(parts))


def order_rows(orders) -> SafeString:
    """The <tr> of each cloud order (its items prefetched), or the empty-list row, with the HTML
    success/orders.html wrote per row."""
    if not orders:
        return mark_safe('<tr><td colspan="9" class="empty">没有云产品下单申请</td></tr>')
    detail = row_url("success:order")
    parts = []
    for o in orders:
        project = o.project.name if o.project_id else ""
        items = "、".join(escape(item) for item in o.items.all())
        starts = f"{o.licence_starts_on:%Y-%m-%d}" if o.licence_starts_on else ""
        ends = f"{o.licence_ends_on:%Y-%m-%d}" if o.licence_ends_on else ""
        parts.append(
            f'\n    <tr><td><a href="{escape(detail(o.pk))}">{escape(o.number)}</a></td>'
            f"<td>{escape(o.customer_name)}</td><td>{escape(project or '—')}</td>\n"
            f"      <td>{items}</td>\n"
            f"      <td>{starts} 至 {ends}</td><td>{escape(o.get_payment_display())}</td>\n"
            f'      <td><span class="state">{escape(o.get_state_display())}</span></td>'
            f"<td>{escape(str(o.get_team_display()) or '—')}</td>"
            f"<td>{escape(local_minute(o.created_at, '%Y-%m-%d %H:%M'))}</td></tr>\n  "
        )
    return mark_safe("".join(parts))
