"""Thin views for the planning tabs: parse the form, call one service, go back to the tab; a
refusal shows the tab again with what was typed and the Chinese message."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from approvals.errors import DomainError
from pmis import excel
from pmis.documents.pdf import render_pdf
from pmis.forms import form_error_lines
from projects import workspace
from projects.models import Project
from projects.selectors import projects_visible

from . import plan_excel, raci, reports, risks
from .access import can_view
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
from .models import RACI_LEGEND, PlanItem, ProjectRaci, Risk
from .plan import plan_baseline_set, plan_item_add, plan_item_delete, plan_item_update
from .tabs import plan_context


def _project(user, pk: int) -> Project:
    project = projects_visible(user).select_related("region", "pm").filter(pk=pk).first()
    if project is None or not can_view(user, project):
        raise Http404
    return project


def _tab(request, project: Project, slug: str, **extra):
    tab = workspace.get(slug)
    context = {"p": project, "tabs": workspace.tabs_for(request.user, project), "current_tab": tab}
    context.update(tab.context(request, project))
    context.update(extra)
    template = tab.template if request.headers.get("HX-Request") else "projects/workspace.html"
    return render(request, template, context)


def _run(request, project, slug, form, call, *, success: str, anchor: str = "", form_name: str, **extra):
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, success)
            return redirect(workspace.tab_url(project, slug) + anchor)
    else:
        messages.error(request, "；".join(form_error_lines(form)) or "请检查填写的内容")
    return _tab(request, project, slug, **{form_name: form}, **extra)


# -- plan ----------------------------------------------------------------------------------------

ITEM_FIELDS = ("name", "group", "kind", "planned_start", "planned_end", "status", "owner", "customer_owner",
               "supplier_owner", "actual_start", "actual_end")  # fmt: skip


@login_required
@require_POST
def plan_add(request, pk: int):
    project = _project(request.user, pk)
    form = PlanItemForm(request.POST, project=project)

    def call(data):
        plan_item_add(project=project, actor=request.user, seq=data["seq"], predecessors=data["predecessors"],
                      **{f: data[f] for f in ITEM_FIELDS})  # fmt: skip

    return _run(request, project, "plan", form, call, success="已加入计划", anchor="#plan-items", form_name="add_form")


@login_required
@require_POST
def plan_edit(request, pk: int, item_pk: int):
    project = _project(request.user, pk)
    item = get_object_or_404(PlanItem, pk=item_pk, project=project)
    form = PlanItemForm(request.POST, project=project, item=item, auto_id=f"item{item.pk}_%s")

    def call(data):
        _, moved = plan_item_update(item=item, actor=request.user, predecessors=data["predecessors"],
                                    **{f: data[f] for f in ITEM_FIELDS})  # fmt: skip
        if moved:
            messages.info(request, f"后续 {len(moved)} 项已按工作日顺延：" + "、".join(m.name for m in moved[:5]))

    return _run(request, project, "plan", form, call, success=f"已保存「{item.name}」", anchor=f"#item-{item.pk}",
                form_name="edit_form", edit_pk=item.pk)  # fmt: skip


@login_required
@require_POST
def plan_delete(request, pk: int, item_pk: int):
    project = _project(request.user, pk)
    item = get_object_or_404(PlanItem, pk=item_pk, project=project)
    try:
        plan_item_delete(item=item, actor=request.user)
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已从计划中删除")
    return redirect(workspace.tab_url(project, "plan") + "#plan-items")


@login_required
@require_POST
def plan_baseline(request, pk: int):
    project = _project(request.user, pk)
    form = BaselineForm(request.POST)
    return _run(
        request, project, "plan", form,
        lambda data: plan_baseline_set(project=project, actor=request.user, reason=data["reason"]),
        success="已设定计划基线", form_name="baseline_form",
    )  # fmt: skip


@login_required
@require_POST
def plan_import(request, pk: int):
    project = _project(request.user, pk)
    form = PlanImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            count = plan_excel.plan_import(project=project, actor=request.user, upload=form.cleaned_data["file"])
        except plan_excel.ImportRefused as exc:
            messages.error(request, "导入未完成，所有行均未保存")
            return _tab(request, project, "plan", import_errors=exc.errors)
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, str(exc))
            return _tab(request, project, "plan")
        messages.success(request, f"已导入 {count} 行计划")
        return redirect(workspace.tab_url(project, "plan"))
    messages.error(request, "；".join(form_error_lines(form)))
    return _tab(request, project, "plan")


@login_required
def plan_export(request, pk: int):
    project = _project(request.user, pk)
    stamp = timezone.localdate().strftime("%Y%m%d")
    return excel.xlsx_response(plan_excel.plan_workbook(project), f"{project.code}-里程碑计划-{stamp}.xlsx")


@login_required
def plan_pdf(request, pk: int):
    project = _project(request.user, pk)
    context = plan_context(request, project)
    context.update({"p": project, "printed_at": timezone.localtime()})
    pdf = render_pdf("planning/plan_pdf.html", context, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{project.code}-plan.pdf"
    return response


# -- risks ---------------------------------------------------------------------------------------

RISK_FIELDS = ("source", "description", "probability", "impact", "strategy", "measures", "owner", "due_date")


@login_required
@require_POST
def risk_add(request, pk: int):
    project = _project(request.user, pk)
    form = RiskForm(request.POST)
    return _run(
        request, project, "risks", form,
        lambda data: risks.risk_raise(project=project, actor=request.user, **{f: data[f] for f in RISK_FIELDS}),
        success="风险已登记", anchor="#risk-list", form_name="risk_form",
    )  # fmt: skip


@login_required
@require_POST
def risk_edit(request, pk: int, risk_pk: int):
    project = _project(request.user, pk)
    risk = get_object_or_404(Risk, pk=risk_pk, project=project)
    form = RiskEditForm(request.POST, auto_id=f"risk{risk.pk}_%s")
    return _run(
        request, project, "risks", form,
        lambda data: risks.risk_update(risk=risk, actor=request.user, status=data["status"],
                                       **{f: data[f] for f in RISK_FIELDS}),
        success="风险已更新", anchor=f"#risk-{risk.pk}", form_name="risk_edit_form", edit_pk=risk.pk,
    )  # fmt: skip


@login_required
@require_POST
def risk_follow(request, pk: int, risk_pk: int):
    project = _project(request.user, pk)
    risk = get_object_or_404(Risk, pk=risk_pk, project=project)
    form = FollowUpForm(request.POST, auto_id=f"follow{risk.pk}_%s")
    return _run(
        request, project, "risks", form,
        lambda data: risks.risk_follow_up(risk=risk, actor=request.user, note=data["note"]),
        success="已记录跟进", anchor=f"#risk-{risk.pk}", form_name="follow_form", follow_pk=risk.pk,
    )  # fmt: skip


# -- RACI ----------------------------------------------------------------------------------------


@login_required
@require_POST
def raci_generate(request, pk: int):
    project = _project(request.user, pk)
    try:
        count = raci.raci_from_template(project=project, actor=request.user)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已按公司模板加入 {count} 项活动" if count else "模板中的活动都已在本项目矩阵中")
    return redirect(workspace.tab_url(project, "raci"))


@login_required
@require_POST
def raci_edit(request, pk: int, row_pk: int):
    project = _project(request.user, pk)
    row = get_object_or_404(ProjectRaci, pk=row_pk, project=project)
    form = RaciRowForm(request.POST, auto_id=f"raci{row.pk}_%s")
    return _run(
        request, project, "raci", form,
        lambda data: raci.raci_update(row=row, actor=request.user, **data),
        success=f"已保存「{row.activity}」", anchor=f"#raci-{row.pk}", form_name="raci_form", edit_pk=row.pk,
    )  # fmt: skip


@login_required
def raci_export(request, pk: int):
    project = _project(request.user, pk)
    rows = raci.project_raci(project)
    workbook = excel.new_workbook()
    excel.write_table(
        workbook,
        name="责任矩阵",
        title=f"{project.code} {project.name}｜责任矩阵（{RACI_LEGEND}）｜导出于 {excel.export_time()}",
        headers=["序号", "活动", "客户", "我方项目组", "第三方", "我方责任人"],
        rows=[[r.seq, r.activity, r.customer, r.ours, r.third, r.ours_person or ""] for r in rows],
    )
    return excel.xlsx_response(workbook, f"{project.code}-责任矩阵-{timezone.localdate():%Y%m%d}.xlsx")


# -- reports -------------------------------------------------------------------------------------


@login_required
@require_POST
def monthly_report(request, pk: int):
    project = _project(request.user, pk)
    form = MonthlyReportForm(request.POST)
    return _run(
        request, project, "reports", form,
        lambda data: reports.monthly_report_file(project=project, actor=request.user, **data),
        success="月报已保存", anchor="#monthly", form_name="monthly_form",
    )  # fmt: skip
