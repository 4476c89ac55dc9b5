"""The inbox's rows written in one pass in Python: a 25-row page resolved through the template
language costs about a thousand variable lookups and date filters, the largest part of the page's
time. The HTML is what approvals/inbox.html wrote per row."""

from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from pmis.html import escape
from pmis.org.roles import role_label


def local_minute(value, pattern: str) -> str:
    """A datetime as the `date` filter shows it, in the current time zone."""
    return timezone.localtime(value).strftime(pattern) if value is not None else ""


def waiting_label(task) -> str:
    """Whom the step waits on: the assignee, or the role group (and region)."""
    if task.assignee_id:
        return str(task.assignee)
    label = role_label(task.group.name) if task.group_id else ""
    return f"{label} · {task.region}" if task.region_id else label


def _due_cell(task) -> str:
    if not task.due_at:
        return "—"
    mark = ""
    if task.overdue:
        mark = ' <span class="overdue-text">已超时</span>'
    elif task.warning:
        mark = ' <span class="warning-text">即将超时</span>'
    return escape(local_minute(task.due_at, "%Y-%m-%d %H:%M")) + mark


def inbox_rows(tasks, *, user_pk: int, csrf_input: str) -> SafeString:
    """The <tr> of each prepared task (see approvals.views.inbox), or the empty-list row."""
    if not tasks:
        return mark_safe('\n    <tr><td colspan="7" class="empty">没有等待您处理的事项</td></tr>\n  ')
    parts = []
    for task in tasks:
        title = escape(task.title)
        css = "overdue" if task.overdue else "warning" if task.warning else ""
        check = (
            f'<input type="checkbox" name="task" value="{task.pk}" form="bulk-form" aria-label="选择 {title}">'
            if task.bulk_ok
            else ""
        )
        proxy = (
            format_html('<div class="muted small proxy-note">代 {} 审批</div>', task.for_whom) if task.for_whom else ""
        )
        routing = (
            format_html('<div class="muted small routing-note">{}</div>', task.routing_note)
            if task.routing_note
            else ""
        )
        if task.claimed_by_id == user_pk:
            action = (
                f'\n          <form method="post" action="{escape(task.release_url)}" class="inline">{csrf_input}'
                '<button type="submit" class="link">释放</button></form>\n        '
            )
        elif not task.assignee_id:
            action = (
                f'\n          <form method="post" action="{escape(task.claim_url)}" class="inline">{csrf_input}'
                '<button type="submit" class="link">认领</button></form>\n        '
            )
        else:
            action = '<span class="muted">指派给我</span>'
        handover = f' · <a href="{escape(task.reassign_url)}">转交</a>' if task.group_id else ""
        parts.append(
            f'\n    <tr class="{css}">\n'
            f'      <td class="select-col">{check}</td>\n'
            f'      <td><a href="{escape(task.link)}">{title}</a>{proxy}</td>\n'
            f"      <td>{escape(task.step_label)}{routing}</td>\n"
            f"      <td>{escape(task.waiting_label)}</td>\n"
            f"      <td>{escape(local_minute(task.created_at, '%m-%d %H:%M'))}</td>\n"
            f"      <td>{_due_cell(task)}</td>\n"
            f"      <td>\n        {action}\n        {handover}\n      </td>\n    </tr>\n  "
        )
    return mark_safe("".join(parts))


def csrf_input(request) -> str:
    """The hidden input `{% csrf_token %}` writes, for forms written in Python."""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))


def department_rows(tasks, *, empty: str) -> SafeString:
    """The <tr> of each task of a department's queue (approvals/department.html), or the row
    saying the queue is empty (`empty`, escaped)."""
    if not tasks:
        return format_html('\n    <tr><td colspan="6" class="empty">{}</td></tr>\n  ', empty)
    parts = []
    for task in tasks:
        due = escape(local_minute(task.due_at, "%Y-%m-%d %H:%M")) if task.due_at else "—"
        if task.due_at and task.overdue:
            due += ' <span class="overdue-text">已超时</span>'
        parts.append(
            f'\n    <tr class="{"overdue" if task.overdue else ""}">\n'
            f'      <td data-label="事项"><a href="{escape(task.link)}">{escape(task.title)}</a></td>\n'
            f'      <td data-label="环节">{escape(task.step_label)}</td>\n'
            f'      <td data-label="等待">{escape(waiting_label(task))}</td>\n'
            f'      <td data-label="认领人">{escape(str(task.claimed_by or "") or "—")}</td>\n'
            f'      <td data-label="到达时间">{escape(local_minute(task.created_at, "%m-%d %H:%M"))}</td>\n'
            f'      <td data-label="截止时间">{due}</td>\n'
            "    </tr>\n  "
        )
    return mark_safe("".join(parts))
