"""平台运维部's request list written in one pass in Python, with the HTML
platformops/deployments.html wrote per row (one reversed URL for the page, not one per row)."""

from django.utils.safestring import SafeString, mark_safe

from approvals.rows import local_minute
from pmis.html import escape
from pmis.lists import row_url


def deployment_rows(deployments) -> SafeString:
    """The <tr> of each request (its project and requester joined), or the empty-list row."""
    if not deployments:
        return mark_safe('<tr><td colspan="8" class="empty">没有云端部署申请</td></tr>')
    detail = row_url("platformops:deployment")
    parts = []
    for d in deployments:
        done = escape(local_minute(d.done_at, "%Y-%m-%d %H:%M")) or "—"
        parts.append(
            f'\n    <tr><td><a href="{detail(d.pk)}">{escape(d.number)}</a></td><td>{escape(d.project.name)}</td>'
            f"<td>{escape(d.project.region)}</td><td>{escape(d.get_kind_display())}</td>\n"
            f'      <td><span class="state">{escape(d.get_state_display())}</span></td>'
            f"<td>{escape(d.requested_by)}</td>"
            f"<td>{escape(local_minute(d.created_at, '%Y-%m-%d %H:%M'))}</td><td>{done}</td></tr>\n  "
        )
    return mark_safe("".join(parts))
