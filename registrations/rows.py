"""The approval queue's rows (登记审批) written in one pass in Python, with the HTML
registrations/queue.html wrote per row: resolving each registration's fields through the
template language was most of the page's time."""

from django.utils.safestring import SafeString, mark_safe

from approvals.rows import local_minute
from pmis.html import escape
from pmis.lists import row_url
from pmis.org.roles import role_label


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


def _waiting(tasks) -> str:
    """registrations/_waiting.html for one registration's open steps (WaitingStep rows)."""
    if not tasks:
        return '<span class="muted">—</span>'
    parts = []
    for t in tasks:
        if t.assignee:
            who = escape(t.assignee)
        else:
            who = escape(role_label(t.role) if t.role else "")
            if t.region:
                who += f"（{escape(t.region)}）"
        due = f' <span class="muted">· {escape(local_minute(t.due_at, "%m-%d %H:%M"))} 前</span>' if t.due_at else ""
        note = f'<div class="muted small routing-note">{escape(t.routing_note)}</div>' if t.routing_note else ""
        parts.append(f'<div class="waiting">{escape(t.step_label)}：{who}{due}{note}</div>')
    return "".join(parts)


def mine_rows(registrations, *, team: bool) -> SafeString:
    """我的登记's <tr> per registration (its open steps attached as `open_tasks`), with the HTML
    registrations/mine.html wrote per row; "" when there is none (the template says why)."""
    detail = row_url("registrations:detail")
    parts = []
    for r in registrations:
        special = ' <span class="tag tag-warn">特批</span>' if r.special else ""
        state = f'<span class="state state-{escape(r.state)}">{escape(r.get_state_display())}</span>{special}\n'
        owner = f"<td>{escape(r.owner)}</td>" if team else ""
        submitted = escape(local_minute(r.submitted_at, "%Y-%m-%d %H:%M")) or "—"
        parts.append(
            "\n    <tr>\n"
            f"      <td>{escape(r.number or '（草稿）')}</td>\n"
            f'      <td><a href="{detail(r.pk)}">{escape(r.title)}</a></td>\n'
            f"      <td>{escape(r.get_kind_display())}</td>\n"
            f"      <td>{escape(str(r.region or '') or '—')}</td>\n"
            f"      {owner}\n"
            f"      <td>{state}</td>\n"
            f"      <td>{_waiting(r.open_tasks)}\n</td>\n"
            f"      <td>{submitted}</td>\n"
            f"      <td>{escape(local_minute(r.created_at, '%Y-%m-%d %H:%M'))}</td>\n"
            "    </tr>\n  "
        )
    return mark_safe("".join(parts))
