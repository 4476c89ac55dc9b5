from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from approvals.errors import DomainError
from approvals.selectors import open_tasks_for, task_can_act
from pmis.audit.selectors import audit_for
from pmis.forms import filter_errors, form_error_lines
from pmis.lists import export_response, list_result
from pmis.org.selectors import user_role_codes
from success.selectors import department_figures, figures_formula

from . import services
from .forms import DecideForm, DeploymentFilterForm, DeploymentForm, ExecuteForm
from .lists import DEPLOYMENTS
from .models import CloudDeployment
from .rows import deployment_rows
from .selectors import deployments_visible

REFUSED = (DomainError, PermissionDenied)


@login_required
def deployment_list(request):
    """平台运维部's page: every request, its queue first, with the department's figures."""
    user = request.user
    rows = deployments_visible(user)
    form = DeploymentFilterForm(request.GET or None)
    refused = form.is_bound and not form.is_valid()
    if refused:
        messages.error(request, f"筛选条件无效，请修改后重试（{filter_errors(form)}）")
        rows = rows.none()
    elif form.is_valid():
        if form.cleaned_data["state"]:
            rows = rows.filter(state=form.cleaned_data["state"])
        if form.cleaned_data["kind"]:
            rows = rows.filter(kind=form.cleaned_data["kind"])
    result = list_result(request, rows, DEPLOYMENTS, filter_form=form)
    if result.exporting and not refused:
        return export_response(result)
    roles = user_role_codes(user)
    page = result.page()
    return render(
        request,
        "platformops/deployments.html",
        {
            "list": result,
            "page": page,
            "rows": deployment_rows(page.object_list),
            "form": form,
            "formula": figures_formula(),
            "figures": department_figures(("platform_ops", "platform_manager"), steps=services.STEPS),
            "can_request": user.is_superuser or bool(roles & {"project_director", "regional_pm"}),
        },
        status=400 if refused else result.status,
    )


@login_required
def deployment_new(request):
    form = DeploymentForm(request.POST or None, initial={"project_code": request.GET.get("project", "")})
    error = ""
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                deployment = services.deployment_request(
                    project=data["project_code"], actor=request.user, kind=data["kind"], reason=data["reason"]
                )
            except REFUSED as exc:
                error = str(exc)
            else:
                messages.success(request, f"云端部署申请 {deployment.number} 已提交特批领导审批")
                return redirect(deployment.get_absolute_url())
        else:
            error = "；".join(form_error_lines(form))
    return render(request, "platformops/deployment_new.html", {"form": form, "error": error})


def _visible(user, pk: int) -> CloudDeployment:
    deployment = get_object_or_404(CloudDeployment.objects.select_related("project__region", "requested_by"), pk=pk)
    if not services.deployment_can_view(user, deployment):
        raise Http404
    return deployment


def _page(request, deployment: CloudDeployment, *, bound: dict | None = None, error: str = ""):
    user = request.user
    tasks = {t.step: t for t in open_tasks_for(deployment) if task_can_act(user, t)}
    bound = bound or {}
    deciding = services.SPECIAL_STEP in tasks or services.MANAGER_STEP in tasks
    context = {
        "d": deployment,
        "history": audit_for(deployment),
        "waiting": open_tasks_for(deployment).select_related("group", "region").first(),
        "decide_form": bound.get("decide") or (DecideForm() if deciding else None),
        "execute_form": bound.get("execute") or (ExecuteForm() if services.EXECUTE_STEP in tasks else None),
        "error": error,
    }
    return render(request, "platformops/deployment.html", context)


@login_required
def deployment_detail(request, pk: int):
    return _page(request, _visible(request.user, pk))


@login_required
@require_POST
def deployment_action(request, pk: int, action: str):
    deployment = _visible(request.user, pk)
    forms = {"decide": DecideForm, "execute": ExecuteForm}
    if action not in forms:
        raise Http404
    form = forms[action](request.POST)
    if not form.is_valid():
        return _page(request, deployment, bound={action: form}, error="；".join(form_error_lines(form)))
    data = form.cleaned_data
    try:
        if action == "decide":
            services.deployment_decide(
                deployment=deployment,
                actor=request.user,
                approve=data["decision"] == "approve",
                comment=data["comment"],
            )
        else:
            services.deployment_execute(
                deployment=deployment,
                actor=request.user,
                servers=data["servers"],
                versions=data["versions"],
                started_on=data["started_on"],
                finished_on=data["finished_on"],
                note=data["note"],
            )
    except REFUSED as exc:
        return _page(request, deployment, bound={action: form}, error=str(exc))
    messages.success(request, "已处理")
    return redirect(deployment.get_absolute_url())
