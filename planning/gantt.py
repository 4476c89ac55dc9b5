"""The Gantt chart, drawn on the server as SVG: deterministic, testable, printable, no script.

Bars for the current plan over thin bars for the baseline, finish-to-start arrows, the days off
shaded, a line for today, and the critical path (the chain with no slack, by the critical path
method on working days) drawn in red."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from .models import PlanItem
from .plan import is_late
from .workdays import Workdays


@dataclass
class Schedule:
    early_start: int
    early_finish: int
    late_start: int
    late_finish: int

    @property
    def slack(self) -> int:
        return self.late_start - self.early_start


def critical_path(items: list[PlanItem], days: Workdays | None = None) -> dict[int, Schedule]:
    """Early and late start/finish of every item, in working days from the plan's first day.
    An item is critical when its slack is 0: any delay to it delays the plan's end."""
    if not items:
        return {}
    days = days or Workdays()
    first = min(i.planned_start for i in items)
    ids = {i.pk for i in items}

    def index(day: date) -> int:
        return days.count(first, day)

    preds = {i.pk: [p.pk for p in i.predecessors.all() if p.pk in ids] for i in items}
    succs: dict[int, list[int]] = {i.pk: [] for i in items}
    for pk, ps in preds.items():
        for p in ps:
            succs[p].append(pk)
    sched: dict[int, Schedule] = {}
    for item in items:
        start = index(days.snap(item.planned_start))
        length = max(days.count(item.planned_start, item.planned_end), 1)
        sched[item.pk] = Schedule(start, start + length - 1, 0, 0)
    finish = max(s.early_finish for s in sched.values())
    length_of = {pk: s.early_finish - s.early_start + 1 for pk, s in sched.items()}
    # backward pass in reverse order of early finish (a successor always finishes later)
    for pk in sorted(sched, key=lambda k: (sched[k].early_finish, sched[k].early_start), reverse=True):
        late_finish = min((sched[s].late_start - 1 for s in succs[pk]), default=finish)
        sched[pk].late_finish = late_finish
        sched[pk].late_start = late_finish - length_of[pk] + 1
    return sched


def critical_ids(items: list[PlanItem], days: Workdays | None = None) -> set[int]:
    return {pk for pk, s in critical_path(items, days).items() if s.slack <= 0}


LABEL_W, ROW_H, HEAD_H, BAR_H = 230, 30, 44, 14


def gantt_svg(
    items: list[PlanItem],
    *,
    today: date | None = None,
    days: Workdays | None = None,
    critical: set[int] | None = None,
) -> SafeString:
    """The chart as an inline <svg>, sized to the plan (horizontal scroll on a phone). `critical`:
    the ids on the critical path, when the caller has scheduled the plan already."""
    today = today or timezone.localdate()
    days = days or Workdays()
    if not items:
        return mark_safe("")
    dates = [i.planned_start for i in items] + [i.planned_end for i in items]
    dates += [d for i in items for d in (i.baseline_start, i.baseline_end, i.actual_end) if d]
    first = min(min(dates), today) - timedelta(days=1)
    last = max(max(dates), today) + timedelta(days=2)
    n = (last - first).days + 1
    dw = max(8, min(26, 1000 // n))
    width = LABEL_W + n * dw
    height = HEAD_H + ROW_H * len(items) + 8
    critical = critical_ids(items, days) if critical is None else critical
    row_of = {item.pk: row for row, item in enumerate(items)}

    def x(day: date) -> int:
        return LABEL_W + (day - first).days * dw

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="gantt" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="甘特图" font-size="12">',
        "<defs><marker id='gantt-arrow' viewBox='0 0 8 8' refX='7' refY='4' markerWidth='7' markerHeight='7' "
        "orient='auto'><path d='M0,0 L8,4 L0,8 z' fill='#55607a'/></marker></defs>",
    ]
    # days off, then the calendar header
    for k in range(n):
        day = first + timedelta(days=k)
        if not days.is_working(day):
            out.append(
                f'<rect class="gantt-off" x="{x(day)}" y="{HEAD_H - 18}" width="{dw}" '
                f'height="{height - HEAD_H + 18}" fill="#eef0f4"/>'
            )
        if day.day == 1 or k == 0:
            out.append(f'<text x="{x(day) + 2}" y="14" fill="#333">{day:%Y-%m}</text>')
        if dw >= 16 or day.weekday() == 0:
            out.append(f'<text x="{x(day) + 2}" y="{HEAD_H - 6}" fill="#777" font-size="10">{day.day}</text>')
    out.append(f'<line x1="{LABEL_W}" y1="{HEAD_H}" x2="{width}" y2="{HEAD_H}" stroke="#c8ccd6"/>')
    for item in items:
        row = row_of[item.pk]
        top = HEAD_H + row * ROW_H
        mid = top + ROW_H // 2
        label = escape(f"{item.seq}. {item.name}")
        if len(label) > 17:
            label = label[:16] + "…"
        out.append(f'<text x="6" y="{mid + 4}" fill="#222"><title>{escape(item.name)}</title>{label}</text>')
        classes = ["gantt-bar"]
        if item.pk in critical:
            classes.append("critical")
        if is_late(item, today):
            classes.append("late")
        if item.status == PlanItem.Status.DONE:
            classes.append("done")
        fill = "#d64545" if item.pk in critical else "#3d6fb6"
        if item.status == PlanItem.Status.DONE:
            fill = "#4c9a6a"
        if item.baseline_start and item.baseline_end:
            bx, bw = x(item.baseline_start), (item.baseline_end - item.baseline_start).days * dw + dw
            out.append(
                f'<rect class="gantt-baseline" x="{bx}" y="{mid + BAR_H // 2}" width="{bw}" height="4" '
                f'fill="#a7adba"><title>基线 {item.baseline_start:%m-%d}～{item.baseline_end:%m-%d}</title></rect>'
            )
        tip = f"{escape(item.name)}：{item.planned_start:%m-%d}～{item.planned_end:%m-%d}"
        if item.kind == PlanItem.Kind.MILESTONE:
            cx, half = x(item.planned_end) + dw // 2, BAR_H // 2 + 2
            out.append(
                f'<path class="{" ".join(classes)} milestone" data-item="{item.pk}" '
                f'd="M{cx},{mid - half} L{cx + half},{mid} L{cx},{mid + half} L{cx - half},{mid} z" fill="{fill}">'
                f"<title>{tip}</title></path>"
            )
        else:
            bx = x(item.planned_start)
            bw = (item.planned_end - item.planned_start).days * dw + dw
            stroke = ' stroke="#b00020" stroke-width="2" stroke-dasharray="3 2"' if "late" in classes else ""
            out.append(
                f'<rect class="{" ".join(classes)}" data-item="{item.pk}" x="{bx}" y="{mid - BAR_H // 2}" '
                f'width="{bw}" height="{BAR_H}" rx="3" fill="{fill}"{stroke}><title>{tip}</title></rect>'
            )
    # finish-to-start arrows
    for item in items:
        for pred in item.predecessors.all():
            if pred.pk not in row_of:
                continue
            x1 = x(pred.planned_end) + dw
            y1 = HEAD_H + row_of[pred.pk] * ROW_H + ROW_H // 2
            x2 = x(item.planned_start)
            y2 = HEAD_H + row_of[item.pk] * ROW_H + ROW_H // 2
            bend = x1 + 6
            if x2 >= bend + 6:  # room to come in from the left
                route = f"M{x1},{y1} H{bend} V{y2} H{x2 - 1}"
            else:  # the dependant starts right after: come down onto the top of its bar
                top = y2 - BAR_H // 2 - 1 if y2 > y1 else y2 + BAR_H // 2 + 1
                route = f"M{x1},{y1} H{bend} V{top}"
            out.append(
                f'<path class="gantt-link" d="{route}" fill="none" '
                f'stroke="#55607a" stroke-width="1.2" marker-end="url(#gantt-arrow)"/>'
            )
    tx = x(today) + dw // 2
    out.append(
        f'<line class="gantt-today" x1="{tx}" y1="{HEAD_H - 18}" x2="{tx}" y2="{height}" stroke="#e8590c" '
        f'stroke-width="2" stroke-dasharray="4 3"><title>今天 {today:%Y-%m-%d}</title></line>'
    )
    out.append("</svg>")
    return mark_safe("".join(out))
