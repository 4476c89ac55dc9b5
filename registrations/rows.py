"""The approval queue's rows (登记审批) written in one pass in Python, with the HTML
registrations/queue.html wrote per row: resolving each registration's fields through the
template language was most of the page's time."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from approvals.rows import local_minute


def queue_rows(tasks, *, decided: bool) -> SafeString:
    """The <tr> of each task (its `record` attached, `overdue` and `record_url` set by the view),
    or the row saying the tab is empty."""
    if not tasks:
        empty = "暂无已审批的登记" if decided else "没有等待您审批的登记"
        return mark_safe(f'\n    <tr><td colspan="8" class="empty">{empty}</td></tr>\n  ')
    parts = []
    for task in tasks:
        record = task.record
        if record is not None:
            number, title, kind = record.number, record.title, record.get_kind_display()
            region, owner = str(record.region or "") or "—", record.owner
            special = ' <span class="tag tag-warn">特批</span>' if record.special else ""
        else:
            number = title = kind = owner = special = ""
            region = "—"
        if decided:
            times = (
                f"\n        <td>{escape(task.outcome_label)}</td>"
                f"\n        <td>{escape(local_minute(task.closed_at, '%Y-%m-%d %H:%M'))}</td>\n      "
            )
        else:
            due = escape(local_minute(task.due_at, "%Y-%m-%d %H:%M")) or "—"
            mark = ' <span class="overdue-text">已超时</span>' if task.overdue else ""
            times = (
                f"\n        <td>{escape(local_minute(task.created_at, '%m-%d %H:%M'))}</td>"
                f"\n        <td>{due}{mark}</td>\n      "
            )
        parts.append(
            f'\n    <tr class="{"overdue" if task.overdue else ""}">\n'
            f"      <td>{escape(number)}</td>\n"
            f'      <td><a href="{escape(task.record_url)}">{escape(title)}</a>{special}</td>\n'
            f"      <td>{escape(kind)}</td>\n"
            f"      <td>{escape(region)}</td>\n"
            f"      <td>{escape(owner)}</td>\n"
            f"      <td>{escape(task.step_label)}</td>\n"
            f"      {times}\n"
            "    </tr>\n  "
        )
    return mark_safe("".join(parts))
