"""The planning tabs of the project workspace: 计划 (with the Gantt), 风险, 责任矩阵, 报告."""

from datetime import date

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from pmis.html import conditional_escape
from projects import workspace
from projects.forms import WeeklyReportForm
from projects.tabs import access  # the request's one permission checker: manage or implement

from . import health, raci, reports, risks
from .forms import (
    BaselineForm,
    FollowUpForm,
    MonthlyReportForm,
    PlanImportForm,
    PlanItemForm,
    RaciRowForm,
    RiskEditForm,
    RiskForm,
)
from .gantt import critical_path, gantt_svg
from .models import RACI_LEGEND, PlanItem
from .plan import is_late, plan_items
from .workdays import Workdays


def _get_date(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _edit_pk(request) -> int | None:
    """The row whose edit form is open (?edit=<pk>): only that row's form is built, so the page's
    query count does not grow with the rows."""
    value = request.GET.get("edit", "")
    return int(value) if value.isdigit() else None


_STATUS_LABELS = dict(PlanItem.Status.choices)


def _month_day(value) -> str:
    return f"{value:%m-%d}" if value else ""


def _plan_row(item) -> str:
    """One plan item's row of the 计划 table, written in Python: the template resolved some
    thirty variables per item. Same markup as the template wrote."""
    esc = conditional_escape
    group = f'<span class="muted">{esc(item.group)} · </span>' if item.group else ""
    tags = ' <span class="tag">里程碑</span>' if item.kind == "milestone" else ""
    tags += ' <span class="tag tag-late">延期</span>' if item.late else ""
    tags += ' <span class="tag tag-critical">关键路径</span>' if item.critical else ""
    css = ("is-critical" if item.critical else "") + (" is-late" if item.late else "")
    baseline = "—"
    if item.baseline_start:
        baseline = f"{_month_day(item.baseline_start)} ～ {_month_day(item.baseline_end)}"
    return (
        f'<tr id="item-{item.pk}" class="{css}">\n        <td>{item.seq}</td>'
        f"\n        <td>{group}{esc(item.name)}{tags}</td>"
        f"\n        <td>{item.planned_start:%Y-%m-%d}</td><td>{item.planned_end:%Y-%m-%d}</td>"
        f"\n        <td>{item.workdays} 个工作日</td>"
        f"\n        <td>{esc(item.pred_seqs or '—')}</td>"
        f"\n        <td>{esc(_STATUS_LABELS.get(item.status, item.status))}</td>"
        f"\n        <td>{esc(item.owner) if item.owner else '—'}</td><td>{esc(item.customer_owner or '—')}</td>"
        f"<td>{esc(item.supplier_owner or '—')}</td>"
        f"\n        <td>{_month_day(item.actual_start) or '—'} ～ {_month_day(item.actual_end) or '—'}</td>"
        f"\n        <td>{baseline}</td>\n      </tr>"
    )


def plan_context(request, project) -> dict:
    today = timezone.localdate()
    open_pk = _edit_pk(request)
    days = Workdays()
    window = health.window_days()
    items = plan_items(project)
    schedule = critical_path(items, days)
    critical = {pk for pk, s in schedule.items() if s.slack <= 0}
    edit = access(request, project).member
    tab = reverse("projects:tab", args=[project.pk, "plan"])
    for item in items:
        item.late = is_late(item, today)
        item.critical = item.pk in critical
        item.slack = schedule[item.pk].slack if item.pk in schedule else None
        item.workdays = days.count(item.planned_start, item.planned_end)
        item.pred_seqs = ",".join(str(p.seq) for p in item.predecessors.all())
        if edit and item.pk == open_pk:
            item.form = PlanItemForm(
                initial=PlanItemForm.initial_for(item), project=project, auto_id=f"item{item.pk}_%s"
            )
        item.row_html = mark_safe(_plan_row(item))
        name = conditional_escape(item.name)
        item.edit_link = mark_safe(
            f'<a class="edit-link" href="{tab}?edit={item.pk}#item-{item.pk}">修改「{name}」</a>'
        )
    return {
        "can_edit": edit,
        "items": items,
        "gantt": gantt_svg(items, today=today, days=days, critical=critical),
        "today": today,
        "health": health.project_health(project, today=today, days=days, window=window),
        "health_formula": health.formula(window),
        "has_baseline": any(i.baseline_start for i in items),
        "late_count": sum(i.late for i in items),
        "add_form": PlanItemForm(project=project),
        "baseline_form": BaselineForm(),
        "import_form": PlanImportForm(),
        "statuses": PlanItem.Status,
    }


def risks_context(request, project) -> dict:
    edit = access(request, project).member
    rows = list(risks.project_risks(project))
    open_pk = _edit_pk(request)
    for risk in rows:
        if edit:
            if risk.pk == open_pk:
                risk.form = RiskEditForm(initial=RiskEditForm.initial_for(risk), auto_id=f"risk{risk.pk}_%s")
            risk.follow_form = FollowUpForm(auto_id=f"follow{risk.pk}_%s")
    return {
        "can_edit": edit,
        "risks": rows,
        "open_count": sum(r.is_open for r in rows),
        "matrix": risks.matrix_rows(),
        "risk_form": RiskForm(initial={"owner": project.pm_id}),
        "review_days": risks.review_interval().days,
        "today": timezone.localdate(),
    }


def raci_context(request, project) -> dict:
    edit = access(request, project).member
    rows = raci.project_raci(project)
    open_pk = _edit_pk(request)
    implementers = None
    for row in rows:
        if row.ours == "R" and implementers is None:
            implementers = raci.team_implementers(project)
        row.notified = raci.recipients_of(project, row.ours, row.ours_person, implementers or [])
        if edit and row.pk == open_pk:
            row.form = RaciRowForm(
                initial={"customer": row.customer, "ours": row.ours, "third": row.third,
                         "ours_person": row.ours_person_id},
                auto_id=f"raci{row.pk}_%s",
            )  # fmt: skip
    return {"can_edit": edit, "rows": rows, "legend": RACI_LEGEND}


def reports_context(request, project) -> dict:
    today = timezone.localdate()
    week = reports.today_week()  # the weekly report is filed for the current week (projects.WeeklyReport)
    month = reports.month_of(_get_date(request.GET.get("month"), today))
    draft = request.GET.get("draft", "")
    window = health.window_days()  # read once for the health and its formula
    weekly_initial = reports.weekly_draft(project, week) if draft == "weekly" else {}
    monthly_initial = {"month": month, **(reports.monthly_draft(project, month) if draft == "monthly" else {})}
    return {
        "can_edit": access(request, project).member,
        "week": week,
        "month": month,
        "draft": draft,
        "weekly_form": WeeklyReportForm(initial=weekly_initial),
        "monthly_form": MonthlyReportForm(initial=monthly_initial),
        "weekly_reports": project.weekly_reports.select_related("author")[:4],
        "monthly_reports": project.monthly_reports.select_related("author")[:6],
        "health": health.project_health(project, today=today, window=window),
        "health_formula": health.formula(window),
    }


def register_tabs() -> None:
    workspace.register(workspace.Tab("plan", "计划", 110, "planning/tab_plan.html", plan_context))
    workspace.register(workspace.Tab("risks", "风险", 111, "planning/tab_risks.html", risks_context))
    workspace.register(workspace.Tab("raci", "责任矩阵", 112, "planning/tab_raci.html", raci_context))
    workspace.register(workspace.Tab("reports", "报告", 113, "planning/tab_reports.html", reports_context))
