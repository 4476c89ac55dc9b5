"""Weekly and monthly reports drafted from the facts (004 §1.3: 周报 sent to the customer before
Monday; 003 02 项目管理: 周报、月报). The PM edits the draft and files it; the weekly one is filed
through projects' WeeklyReport, the monthly one here."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from approvals.errors import DomainError
from pmis.audit.services import audit_record
from projects.models import DeliveryTask, Project

from .access import require_edit
from .models import MonthlyReport, PlanItem, Risk, RiskLevel


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _facts(project: Project, first: date, last: date) -> dict[str, list[str]]:
    """What happened on the project from `first` to `last` (both included)."""
    lo, hi = _moment(first), _moment(last + timedelta(days=1))
    done_tasks = DeliveryTask.objects.filter(
        project=project, state=DeliveryTask.State.DONE, done_at__gte=lo, done_at__lt=hi
    ).select_related("assignee")
    items = list(PlanItem.objects.filter(project=project).order_by("seq"))
    finished = [i for i in items if i.actual_end and first <= i.actual_end <= last]
    late = [i for i in items if i.actual_end is None and i.planned_end <= last]
    opened = Risk.objects.filter(project=project, created_at__gte=lo, created_at__lt=hi).order_by("-level_rank")
    closed = Risk.objects.filter(project=project, closed_at__gte=lo, closed_at__lt=hi)
    lines: dict[str, list[str]] = {"done": [], "milestones": [], "risks": [], "late": []}
    for t in done_tasks:
        lines["done"].append(f"实施任务「{t.title}」已完成（{t.assignee}）")
    for i in finished:
        kind = "里程碑" if i.kind == PlanItem.Kind.MILESTONE else "计划项"
        on_time = "按期" if i.actual_end <= i.planned_end else f"较计划晚 {(i.actual_end - i.planned_end).days} 天"
        target = "milestones" if i.kind == PlanItem.Kind.MILESTONE else "done"
        lines[target].append(f"{kind}「{i.name}」{i.actual_end:%m-%d} 完成，{on_time}")
    for i in late:
        kind = "里程碑" if i.kind == PlanItem.Kind.MILESTONE else "计划项"
        lines["late"].append(f"{kind}「{i.name}」计划 {i.planned_end:%m-%d} 完成，已延期")
    for r in opened:
        lines["risks"].append(f"新增{r.get_level_display()}风险（{r.get_source_display()}）：{r.description[:60]}")
    for r in closed:
        lines["risks"].append(f"关闭风险：{r.description[:60]}")
    return lines


def _upcoming(project: Project, first: date, last: date) -> list[str]:
    # what is planned in the period, and what is late and carried into it
    items = PlanItem.objects.filter(project=project, actual_end__isnull=True, planned_start__lte=last).order_by(
        "planned_start", "seq"
    )
    result = [
        f"「{i.name}」{i.planned_start:%m-%d}～{i.planned_end:%m-%d}"
        + ("（延期，继续推进）" if i.planned_end < first else "")
        for i in items
    ]
    tasks = DeliveryTask.objects.filter(project=project, due_date__gte=first, due_date__lte=last).exclude(
        state__in=[DeliveryTask.State.DONE, DeliveryTask.State.CANCELLED]
    )
    result += [f"实施任务「{t.title}」{t.due_date:%m-%d} 前完成" for t in tasks]
    return result


def _coordination(project: Project, late: list[str]) -> list[str]:
    high = Risk.objects.filter(project=project, level=RiskLevel.HIGH).exclude(status=Risk.Status.CLOSED)
    return [*late, *(f"高风险待协调：{r.description[:60]}（{r.get_strategy_display()}）" for r in high)]


def _numbered(title: str, lines: list[str]) -> str:
    if not lines:
        return f"{title}：无"
    return "\n".join([f"{title}：", *(f"{n}. {line}" for n, line in enumerate(lines, start=1))])


def weekly_draft(project: Project, week: date) -> dict[str, str]:
    """The weekly report's fields for the report of the week starting on Monday `week`: last
    week's facts, this week's plan and what needs coordinating."""
    week = week - timedelta(days=week.weekday())
    first, last = week - timedelta(days=7), week - timedelta(days=1)
    facts = _facts(project, first, last)
    last_week = "\n".join(
        [
            _numbered("完成的工作", facts["done"]),
            _numbered("里程碑", facts["milestones"] + facts["late"]),
            _numbered("风险", facts["risks"]),
        ]
    )
    this_week = _numbered("本周计划", _upcoming(project, week, week + timedelta(days=6)))
    coordination = "\n".join(_coordination(project, facts["late"]))
    return {"last_week": last_week, "this_week": this_week, "coordination": coordination}


def month_of(day: date) -> date:
    return day.replace(day=1)


def _next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def monthly_draft(project: Project, month: date) -> dict[str, str]:
    first = month_of(month)
    following = _next_month(first)
    facts = _facts(project, first, following - timedelta(days=1))
    return {
        "progress": _numbered("本月完成", facts["done"]),
        "milestones": _numbered("里程碑", facts["milestones"] + facts["late"]),
        "risks": _numbered("风险变化", facts["risks"]),
        "next_month": _numbered("下月计划", _upcoming(project, following, _next_month(following) - timedelta(days=1))),
    }


@transaction.atomic
def monthly_report_file(
    *, project: Project, actor, month: date, progress: str, next_month: str, milestones: str = "", risks: str = ""
) -> MonthlyReport:
    require_edit(actor, project, "月报")
    if not progress.strip() or not next_month.strip():
        raise DomainError("请填写本月进展与下月计划")
    month = month_of(month)
    report, created = MonthlyReport.objects.update_or_create(
        project=project,
        month=month,
        defaults={
            "author": actor,
            "progress": progress,
            "milestones": milestones,
            "risks": risks,
            "next_month": next_month,
        },
    )
    audit_record(
        subject=project,
        action="monthly_report.file",
        label=f"{'填写' if created else '修改'}月报（{month:%Y-%m}）",
        actor=actor,
    )
    return report


def today_week() -> date:
    today = timezone.localdate()
    return today - timedelta(days=today.weekday())
