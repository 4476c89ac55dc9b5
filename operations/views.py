from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from approvals.errors import DomainError
from pmis.audit.selectors import audit_for
from pmis.documents.selectors import attachments_for
from pmis.forms import filter_errors
from pmis.lists import export_response, list_result
from projects import workspace
from projects.models import Project
from projects.selectors import projects_visible

from . import services
from .forms import (
    ComplaintForm,
    DepartForm,
    DutyRosterForm,
    DutyShiftForm,
    IncidentForm,
    InspectionPlanForm,
    LevelForm,
    OnsiteForm,
    RecoverForm,
    RepairConfirmForm,
    RepairForm,
    RepairInspectForm,
    ReportForm,
    ReviewForm,
)
from .forms_filters import IncidentFilterForm
from .lists import INCIDENTS
from .models import DutyRoster, Incident, Inspection, OnsiteVisit, Repair
from .selectors import duty_rosters, incident_can_view, incidents_visible
from .services.common import can_view_operations, can_work_operations, is_emergency_team, is_operations_staff
from .services.duty import LONG_HOLIDAYS, can_plan_duty


def _project_or_404(user, pk: int) -> Project:
    project = get_object_or_404(Project.objects.select_related("region", "pm", "registration"), pk=pk)
    if not (is_operations_staff(user) or projects_visible(user).filter(pk=pk).exists()):
        raise Http404
    return project


def _ticket_or_404(user, pk):
    from aftersales.models import Ticket
    from aftersales.services import ticket_can_view

    ticket = get_object_or_404(Ticket.objects.select_related("project"), pk=pk)
    if not ticket_can_view(user, ticket):
        raise Http404
    return ticket


def _tab_page(request, project: Project, slug: str, **overrides):
    """The workspace at one of our tabs, with a refused form bound to what was typed."""
    current = workspace.get(slug)
    context = {"p": project, "tabs": workspace.tabs_for(request.user, project), "current_tab": current}
    context.update(current.context(request, project))
    context.update(overrides)
    return render(request, "projects/workspace.html", context)


# -- incidents ------------------------------------------------------------------------------


@login_required
def incident_list(request):
    if not request.user.is_authenticated:
        raise PermissionDenied
    form = IncidentFilterForm(request.GET or None)
    incidents = incidents_visible(request.user)
    refused = form.is_bound and not form.is_valid()
    if refused:
        messages.error(request, f"筛选条件无效，请修改后重试（{filter_errors(form)}）")
        incidents = incidents.none()
    elif form.is_valid():
        data = form.cleaned_data
        if data.get("level"):
            incidents = incidents.filter(level=data["level"])
        if data.get("state"):
            incidents = incidents.filter(state=data["state"])
        if data.get("region"):
            incidents = incidents.filter(project__region=data["region"])
    result = list_result(request, incidents, INCIDENTS, filter_form=form)
    if result.exporting and not refused:
        return export_response(result)
    return render(
        request,
        "operations/incidents.html",
        {"list": result, "page": result.page(), "form": form},
        status=400 if refused else result.status,
    )


@login_required
def incident_new(request, project_pk: int):
    """登记突发事件: from the project's tab, or from a ticket (升级为突发事件, ?ticket=)."""
    project = _project_or_404(request.user, project_pk)
    if not can_work_operations(request.user, project):
        raise PermissionDenied("只有项目组成员或售后运维人员可以登记突发事件")
    ticket_id = request.GET.get("ticket") or request.POST.get("ticket")
    ticket = _ticket_or_404(request.user, int(ticket_id)) if ticket_id and ticket_id.isdigit() else None
    if ticket is not None and ticket.project_id != project.pk:
        raise Http404
    if request.method == "POST":
        form = IncidentForm(request.POST)
        if form.is_valid():
            try:
                incident = services.incident_report(
                    project=project, actor=request.user, data=form.cleaned_data, ticket=ticket
                )
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已登记突发事件 {incident.number}，已通知处理人")
                return redirect(incident.get_absolute_url())
        else:
            messages.error(request, "请检查填写的内容")
    else:
        initial = {"reported_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
        if ticket is not None:
            initial.update(
                title=ticket.subject,
                reporter=ticket.reporter,
                symptoms=ticket.description,
                reported_at=timezone.localtime(ticket.reported_at).strftime("%Y-%m-%dT%H:%M"),
            )
        form = IncidentForm(initial=initial)
    return render(request, "operations/incident_new.html", {"p": project, "form": form, "ticket": ticket})


def _incident_or_404(user, pk: int) -> Incident:
    incident = get_object_or_404(
        Incident.objects.select_related("project__region", "project__pm", "handler", "ticket", "report_by"), pk=pk
    )
    if not incident_can_view(user, incident):
        raise Http404
    return incident


@login_required
def incident_detail(request, pk: int):
    return _incident_page(request, _incident_or_404(request.user, pk))


def _incident_page(request, incident: Incident, **forms):
    user = request.user
    work = can_work_operations(user, incident.project)
    leader = user.is_superuser or user.pk in (incident.project.pm_id, incident.handler_id) or is_emergency_team(user)
    open_states = (Incident.State.HANDLING, Incident.State.ESCALATED)
    now = timezone.now()
    context = {
        "i": incident,
        "now": now,
        "outage_minutes": int(((incident.recovered_at or now) - incident.outage_started_at).total_seconds() // 60),
        "level_form": forms.get("level_form")
        or (
            LevelForm(initial={"level": incident.proposed_level or incident.level})
            if leader and incident.state != Incident.State.ARCHIVED
            else None
        ),
        "recover_form": forms.get("recover_form")
        or (RecoverForm() if work and incident.state in open_states else None),
        "report_form": forms.get("report_form")
        or (ReportForm() if work and incident.state == Incident.State.RECOVERED else None),
        "review_form": forms.get("review_form")
        or (ReviewForm() if is_emergency_team(user) and incident.state == Incident.State.REPORT_REVIEW else None),
        "history": audit_for(incident),
        "documents": attachments_for(incident),
        "can_write_article": incident.recovered_at is not None,
        "can_vendor": leader and incident.state == Incident.State.HANDLING,
    }
    return render(request, "operations/incident.html", context)


@login_required
@require_POST
def incident_action(request, pk: int, action: str):
    incident = _incident_or_404(request.user, pk)
    user, post = request.user, request.POST
    if action == "vendor":
        try:
            services.incident_vendor_cause(incident=incident, actor=user)
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已转应急小组联系集成商或厂商")
        return redirect(incident.get_absolute_url())
    forms_by_action = {"level": LevelForm, "recover": RecoverForm, "report": ReportForm, "review": ReviewForm}
    if action not in forms_by_action:
        raise Http404
    form = forms_by_action[action](post)
    if not form.is_valid():
        messages.error(request, "请检查填写的内容")
        return _incident_page(request, incident, **{f"{action}_form": form})
    data = form.cleaned_data
    calls = {
        "level": lambda: services.incident_set_level(
            incident=incident, actor=user, level=data["level"], reason=data["reason"]
        ),
        "recover": lambda: services.incident_recover(incident=incident, actor=user, note=data["note"]),
        "report": lambda: services.incident_report_submit(incident=incident, actor=user, **data),
        "review": lambda: services.incident_report_review(
            incident=incident, actor=user, approve=data["decision"] == "approve", comment=data["comment"]
        ),
    }
    try:
        calls[action]()
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return _incident_page(request, incident, **{f"{action}_form": form})
    messages.success(request, "已处理")
    return redirect(incident.get_absolute_url())


# -- on-site service and repair ---------------------------------------------------------------


@login_required
def onsite_new(request, project_pk: int):
    """发起现场服务: from the project's tab, or from a ticket (?ticket=)."""
    project = _project_or_404(request.user, project_pk)
    if not can_work_operations(request.user, project):
        raise PermissionDenied("只有项目组成员或售后运维人员可以发起现场服务")
    ticket_id = request.GET.get("ticket") or request.POST.get("ticket")
    ticket = _ticket_or_404(request.user, int(ticket_id)) if ticket_id and ticket_id.isdigit() else None
    if request.method == "POST":
        form = OnsiteForm(request.POST, project=project)
        if form.is_valid():
            try:
                visit = services.onsite_request(project=project, actor=request.user, ticket=ticket, **form.cleaned_data)
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request, f"已发起现场服务，到场时限 {timezone.localtime(visit.arrival_due_at):%Y-%m-%d %H:%M}"
                )
                return redirect(visit.get_absolute_url())
        else:
            messages.error(request, "请检查填写的内容")
    else:
        form = OnsiteForm(project=project, initial={"reason": ticket.subject if ticket else ""})
    return render(request, "operations/onsite_new.html", {"p": project, "form": form, "ticket": ticket})


def _visit_or_404(user, pk: int) -> OnsiteVisit:
    visit = get_object_or_404(OnsiteVisit.objects.select_related("project", "engineer", "province", "ticket"), pk=pk)
    if not (visit.engineer_id == user.pk or can_view_operations(user, visit.project)):
        raise Http404
    return visit


@login_required
def onsite_detail(request, pk: int, depart_form=None):
    visit = _visit_or_404(request.user, pk)
    mine = request.user.pk == visit.engineer_id or request.user.is_superuser
    return render(
        request,
        "operations/onsite.html",
        {
            "v": visit,
            "mine": mine,
            "depart_form": depart_form or DepartForm(),
            "history": audit_for(visit),
        },
    )


@login_required
@require_POST
def onsite_action(request, pk: int, action: str):
    visit = _visit_or_404(request.user, pk)
    user = request.user
    if action == "depart":
        form = DepartForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请填写现场工作记录")
            return onsite_detail(request, pk, depart_form=form)
        call = lambda: services.onsite_depart(visit=visit, actor=user, note=form.cleaned_data["note"])  # noqa: E731
    elif action == "contact":
        form, call = None, lambda: services.onsite_contact(visit=visit, actor=user)
    elif action == "arrive":
        form, call = None, lambda: services.onsite_arrive(visit=visit, actor=user)
    else:
        raise Http404
    try:
        call()
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return onsite_detail(request, pk, depart_form=form)
    messages.success(request, {"contact": "已记录电话联系", "arrive": "已记录到场", "depart": "已记录离场"}[action])
    return redirect(visit.get_absolute_url())


@login_required
@require_POST
def repair_new(request, project_pk: int):
    project = _project_or_404(request.user, project_pk)
    form = RepairForm(request.POST)
    if form.is_valid():
        try:
            repair = services.repair_receive(project=project, actor=request.user, **form.cleaned_data)
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已登记保外维修，请当日检查并填写产品维修检查确认单")
            return redirect(repair.get_absolute_url())
    else:
        messages.error(request, "请检查填写的内容")
    return _tab_page(request, project, "onsite", repair_form=form)


def _repair_or_404(user, pk: int) -> Repair:
    repair = get_object_or_404(Repair.objects.select_related("project", "engineer"), pk=pk)
    if not can_view_operations(user, repair.project):
        raise Http404
    return repair


@login_required
def repair_detail(request, pk: int, **forms):
    repair = _repair_or_404(request.user, pk)
    return render(
        request,
        "operations/repair.html",
        {
            "r": repair,
            "documents": attachments_for(repair),
            "can_work": can_work_operations(request.user, repair.project),
            "history": audit_for(repair),
            "inspect_form": forms.get("inspect_form") or RepairInspectForm(),
            "confirm_form": forms.get("confirm_form") or RepairConfirmForm(),
        },
    )


@login_required
@require_POST
def repair_action(request, pk: int, action: str):
    repair = _repair_or_404(request.user, pk)
    user = request.user
    if action == "inspect":
        form = RepairInspectForm(request.POST)
        ok = form.is_valid()
        call = lambda: services.repair_inspect(repair=repair, actor=user, **form.cleaned_data)  # noqa: E731
    elif action == "confirm":
        form = RepairConfirmForm(request.POST)
        ok = form.is_valid()
        call = lambda: services.repair_confirm(  # noqa: E731
            repair=repair,
            actor=user,
            accept=form.cleaned_data["decision"] == "accept",
            contact=form.cleaned_data["contact"],
        )
    elif action == "return":
        form, ok = None, True
        call = lambda: services.repair_return(repair=repair, actor=user)  # noqa: E731
    else:
        raise Http404
    kept = {f"{action}_form": form} if form is not None else {}
    if not ok:
        messages.error(request, "请检查填写的内容")
        return repair_detail(request, pk, **kept)
    try:
        call()
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return repair_detail(request, pk, **kept)
    messages.success(request, "已处理")
    return redirect(repair.get_absolute_url())


# -- inspections ----------------------------------------------------------------------------


@login_required
@require_POST
def inspection_plan(request, project_pk: int):
    project = _project_or_404(request.user, project_pk)
    form = InspectionPlanForm(request.POST, instance=getattr(project, "inspection_plan", None))
    if form.is_valid():
        try:
            services.inspection_plan_set(project=project, actor=request.user, **form.cleaned_data)
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已保存巡检计划")
            return redirect(workspace.tab_url(project, "inspections"))
    else:
        messages.error(request, "请检查填写的内容")
    return _tab_page(request, project, "inspections", plan_form=form)


def _inspection_or_404(user, pk: int) -> Inspection:
    inspection = get_object_or_404(Inspection.objects.select_related("project", "plan__inspector", "done_by"), pk=pk)
    if not (inspection.plan.inspector_id == user.pk or can_view_operations(user, inspection.project)):
        raise Http404
    return inspection


@login_required
def inspection_detail(request, pk: int, typed=None):
    inspection = _inspection_or_404(request.user, pk)
    rows = []
    for index, item in enumerate(inspection.items):
        if typed is not None:
            rows.append(
                {
                    "index": index,
                    "item": item,
                    "ok": typed.get(f"ok_{index}", "1") == "1",
                    "note": typed.get(f"note_{index}", ""),
                }
            )
        elif inspection.results:
            result = inspection.results[index]
            rows.append({"index": index, "item": item, "ok": result.get("ok"), "note": result.get("note", "")})
        else:
            rows.append({"index": index, "item": item, "ok": True, "note": ""})
    can_record = inspection.state == Inspection.State.OPEN and (
        request.user.pk == inspection.plan.inspector_id or can_work_operations(request.user, inspection.project)
    )
    return render(
        request,
        "operations/inspection.html",
        {
            "ins": inspection,
            "rows": rows,
            "can_record": can_record,
            "summary": typed.get("summary", "") if typed is not None else inspection.summary,
            "history": audit_for(inspection),
        },
    )


@login_required
@require_POST
def inspection_record(request, pk: int):
    inspection = _inspection_or_404(request.user, pk)
    post = request.POST
    results = [
        {"item": item, "ok": post.get(f"ok_{i}", "1") == "1", "note": post.get(f"note_{i}", "").strip()}
        for i, item in enumerate(inspection.items)
    ]
    try:
        services.inspection_record(
            inspection=inspection, actor=request.user, results=results, summary=post.get("summary", "")
        )
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return inspection_detail(request, pk, typed=post)
    messages.success(request, "已记录本月巡检")
    return redirect(inspection.get_absolute_url())


# -- duty rosters ---------------------------------------------------------------------------


@login_required
def duty_list(request, form=None):
    if not is_operations_staff(request.user):
        raise PermissionDenied("只有售后运维人员与应急小组可以查看长假值班")
    today = timezone.localdate()
    return render(
        request,
        "operations/duty.html",
        {
            "rosters": duty_rosters(),
            "can_plan": can_plan_duty(request.user),
            "holidays": LONG_HOLIDAYS,
            "form": form or DutyRosterForm(initial={"year": today.year}),
            "on_duty": services.on_duty(),
        },
    )


@login_required
@require_POST
def duty_roster_new(request):
    form = DutyRosterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请检查填写的内容")
        return duty_list(request, form=form)
    try:
        roster = services.duty_roster_create(actor=request.user, **form.cleaned_data)
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return duty_list(request, form=form)
    messages.success(request, f"已创建{roster}，请安排每天的值班人")
    return redirect(roster.get_absolute_url())


@login_required
def duty_roster(request, pk: int, form=None):
    if not is_operations_staff(request.user):
        raise PermissionDenied("只有售后运维人员与应急小组可以查看长假值班")
    roster = get_object_or_404(DutyRoster, pk=pk)
    shifts = {s.day: s for s in roster.shifts.select_related("user")}
    days = []
    day = roster.first_day
    from datetime import timedelta

    while day <= roster.last_day:
        days.append({"day": day, "shift": shifts.get(day)})
        day += timedelta(days=1)
    return render(
        request,
        "operations/duty_roster.html",
        {
            "roster": roster,
            "days": days,
            "can_plan": can_plan_duty(request.user),
            "form": form or DutyShiftForm(initial={"day": roster.first_day}),
            "history": audit_for(roster),
        },
    )


@login_required
@require_POST
def duty_shift(request, pk: int):
    roster = get_object_or_404(DutyRoster, pk=pk)
    form = DutyShiftForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请检查填写的内容")
        return duty_roster(request, pk, form=form)
    try:
        services.duty_shift_set(roster=roster, actor=request.user, **form.cleaned_data)
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return duty_roster(request, pk, form=form)
    messages.success(request, "已安排值班")
    return redirect(roster.get_absolute_url())


# -- complaints -----------------------------------------------------------------------------


@login_required
def complaint(request, ticket_pk: int):
    """登记客户投诉 on a ticket (003 度量考核：客户投诉次数)."""
    ticket = _ticket_or_404(request.user, ticket_pk)
    form = ComplaintForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.complaint_record(ticket=ticket, actor=request.user, note=form.cleaned_data["note"])
            except (DomainError, PermissionDenied) as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, "已登记客户投诉")
                return redirect(ticket.get_absolute_url())
        else:
            messages.error(request, "请填写投诉内容")
    return render(request, "operations/complaint.html", {"t": ticket, "form": form})
