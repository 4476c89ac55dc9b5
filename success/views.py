from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from approvals.errors import DomainError
from approvals.selectors import open_tasks_for, task_can_act
from pmis.audit.selectors import audit_for
from pmis.forms import filter_errors, form_error_lines, formset_error_lines
from pmis.lists import export_response, list_result
from projects import workspace

from . import services
from .forms import (
    CancelForm,
    CloudOrderForm,
    ConfirmForm,
    DeclineForm,
    FinishForm,
    IntegrationAcceptForm,
    LicenceFilterForm,
    OpenForm,
    OrderFilterForm,
    OrderItemFormSet,
    RequestFilterForm,
    ReviewForm,
    ReviseForm,
    ServiceRequestForm,
    TermForm,
    type_forms,
)
from .lists import CLOUD_ORDERS, LICENCES, SERVICE_REQUESTS, licence_rows
from .models import CloudOrder, IntegrationRequest, ServiceRequest, Team
from .rows import order_rows, request_rows
from .selectors import department_figures, figures_formula, licences_visible, orders_visible, requests_visible
from .service_types import SERVICE_TYPES, details_display
from .services.common import ORDER_FILERS, is_cs, roles_of
from .services.orders import STEPS as ORDER_STEPS

REFUSED = (DomainError, PermissionDenied)


def _filtered(request, rows, form, apply):
    refused = form.is_bound and not form.is_valid()
    if refused:
        messages.error(request, f"筛选条件无效，请修改后重试（{filter_errors(form)}）")
        return rows.none(), True
    if form.is_valid():
        rows = apply(rows, form.cleaned_data)
    return rows, False


# ---------------------------------------------------------------------------------------------
# cloud product orders (云产品下单申请)


@login_required
def order_list(request):
    user = request.user
    orders = orders_visible(user)
    form = OrderFilterForm(request.GET or None)

    def apply(rows, data):
        if data["state"]:
            rows = rows.filter(state=data["state"])
        if data["team"]:
            rows = rows.filter(team=data["team"])
        return rows

    orders, refused = _filtered(request, orders, form, apply)
    result = list_result(request, orders, CLOUD_ORDERS, filter_form=form)
    if result.exporting and not refused:
        return export_response(result)
    page = result.page()
    return render(
        request,
        "success/orders.html",
        {
            "list": result,
            "page": page,
            "rows": order_rows(page.object_list),
            "form": form,
            "figures": department_figures(("business_approver", "cs_ops", "cs_support"), steps=ORDER_STEPS),
            "formula": figures_formula(),
            "can_file": user.is_superuser or bool(roles_of(user) & ORDER_FILERS),
        },
        status=400 if refused else result.status,
    )


def _order_items(formset) -> list[dict]:
    return [
        {"product": f.cleaned_data["product"], "quantity": f.cleaned_data["quantity"]}
        for f in formset.forms
        if f.cleaned_data.get("product")
    ]


@login_required
def order_new(request):
    user = request.user
    if not (user.is_superuser or roles_of(user) & ORDER_FILERS):
        raise PermissionDenied("只有销售或客户成功部可以提交云产品下单申请")
    form = CloudOrderForm(request.POST or None)
    items = OrderItemFormSet(request.POST or None, prefix="items")
    errors: list[str] = []
    if request.method == "POST":
        if form.is_valid() and items.is_valid():
            data = form.cleaned_data
            try:
                order = services.cloud_order_file(
                    actor=user,
                    customer_name=data["customer_name"],
                    items=_order_items(items),
                    licence_starts_on=data["licence_starts_on"],
                    licence_ends_on=data["licence_ends_on"],
                    payment=data["payment"],
                    project=data["project_code"],
                    saas=data["saas"],
                    amount=data["amount"],
                    note=data["note"],
                )
            except REFUSED as exc:
                errors = [str(exc)]
            else:
                messages.success(request, f"云产品下单申请 {order.number} 已提交商务管理部审核")
                return redirect(order.get_absolute_url())
        else:
            errors = form_error_lines(form) + formset_error_lines(items, title="下单产品")
    return render(
        request,
        "success/order_new.html",
        {"form": form, "items": items, "errors": errors},
    )


def _visible_order(user, pk: int) -> CloudOrder:
    order = get_object_or_404(CloudOrder.objects.select_related("project", "filed_by"), pk=pk)
    if not services.cloud_order_can_view(user, order):
        raise Http404
    return order


def _order_page(request, order: CloudOrder, *, bound: dict | None = None, error: str = ""):
    user = request.user
    tasks = {t.step: t for t in open_tasks_for(order) if task_can_act(user, t)}
    bound = bound or {}
    integration = IntegrationRequest.objects.filter(order=order).select_related("delivery_task", "project").first()
    integration_task = None
    if integration is not None:
        integration_task = open_tasks_for(integration).first()
    context = {
        "o": order,
        "items": list(order.items.select_related("product")),
        "licences": list(order.licences.select_related("product")),
        "history": audit_for(order),
        "error": error,
        "review_form": bound.get("review") or (ReviewForm() if "cloud_order.business" in tasks else None),
        "confirm_form": bound.get("confirm") or (ConfirmForm() if "cloud_order.confirm" in tasks else None),
        "open_form": bound.get("open") or (OpenForm() if "cloud_order.open" in tasks else None),
        "revise_form": bound.get("revise") or (ReviseForm() if "cloud_order.resubmit" in tasks else None),
        "integration": integration,
        "integration_task": integration_task,
        "can_run_integration": integration is not None and services.integration._can_run(user, integration.project),
        "accept_form": bound.get("accept") or IntegrationAcceptForm(),
        "decline_form": bound.get("decline") or DeclineForm(),
        "handover_state": services.integration_handover_state(integration) if integration else "",
    }
    return render(request, "success/order.html", context)


@login_required
def order_detail(request, pk: int):
    return _order_page(request, _visible_order(request.user, pk))


ORDER_ACTIONS = {
    "review": ReviewForm,
    "confirm": ConfirmForm,
    "open": OpenForm,
    "revise": ReviseForm,
}


@login_required
@require_POST
def order_action(request, pk: int, action: str):
    order = _visible_order(request.user, pk)
    form_class = ORDER_ACTIONS.get(action)
    if form_class is None:
        raise Http404
    form = form_class(request.POST)
    if not form.is_valid():
        return _order_page(request, order, bound={action: form}, error="；".join(form_error_lines(form)))
    data, user = form.cleaned_data, request.user
    try:
        if action == "review":
            services.cloud_order_review(
                order=order,
                actor=user,
                approve=data["decision"] == "approve",
                team=data["team"],
                comment=data["comment"],
                licence_ok=data["licence_ok"],
                payment_ok=data["payment_ok"],
            )
        elif action == "confirm":
            services.cloud_order_confirm(
                order=order, actor=user, integration_needed=data["integration_needed"] == "yes", need=data["need"]
            )
        elif action == "open":
            services.cloud_order_open(order=order, actor=user, opened_note=data["opened_note"])
        else:
            services.cloud_order_revise(
                order=order, actor=user, resubmit=data["action"] == "resubmit", note=data["note"]
            )
    except REFUSED as exc:
        return _order_page(request, order, bound={action: form}, error=str(exc))
    messages.success(request, "已处理")
    return redirect(order.get_absolute_url())


@login_required
@require_POST
def integration_action(request, pk: int, action: str):
    integration = get_object_or_404(IntegrationRequest.objects.select_related("order", "project"), pk=pk)
    order = _visible_order(request.user, integration.order_id)
    forms = {"accept": IntegrationAcceptForm, "decline": DeclineForm}
    if action not in (*forms, "complete"):
        raise Http404
    form = forms[action](request.POST) if action in forms else None
    if form is not None and not form.is_valid():
        return _order_page(request, order, bound={action: form}, error="；".join(form_error_lines(form)))
    try:
        if action == "accept":
            data = form.cleaned_data
            services.integration_accept(
                request=integration,
                actor=request.user,
                assignee=data["assignee"],
                title=data["title"],
                due_date=data["due_date"],
                comment=data["comment"],
            )
        elif action == "decline":
            services.integration_decline(request=integration, actor=request.user, comment=form.cleaned_data["comment"])
        else:
            services.integration_complete(request=integration, actor=request.user)
    except REFUSED as exc:
        return _order_page(request, order, bound={action: form} if form else None, error=str(exc))
    messages.success(request, "已处理")
    return redirect(order.get_absolute_url())


# ---------------------------------------------------------------------------------------------
# service requests (客户服务申请) and the two groups' pages


@login_required
def team_queue(request, team: str):
    """A group's page (运营客服组 / 售后支持组): its requests, with its figures."""
    user = request.user
    if not is_cs(user):
        raise PermissionDenied("只有客户成功部人员可以查看服务队列")
    rows = requests_visible(user).filter(team=team)
    form = RequestFilterForm(request.GET or None)

    def apply(rows, data):
        if data["type"]:
            rows = rows.filter(type=data["type"])
        if data["state"]:
            rows = rows.filter(state=data["state"])
        return rows

    rows, refused = _filtered(request, rows, form, apply)
    result = list_result(request, rows, SERVICE_REQUESTS, filter_form=form, scope=Team(team).label)
    if result.exporting and not refused:
        return export_response(result)
    page = result.page()
    now = timezone.now()
    for row in page.object_list:
        row.overdue = row.is_overdue(now)
    # the orders waiting on the group are links: their number and customer, not their items
    waiting_orders = orders_visible(user).select_related(None).prefetch_related(None).only("number", "customer_name")
    return render(
        request,
        "success/queue.html",
        {
            "list": result,
            "page": page,
            "form": form,
            "team": Team(team),
            "rows": request_rows(page.object_list),
            "figures": department_figures((team,)),
            "formula": figures_formula(),
            "pending_orders": waiting_orders.filter(team=team, state=CloudOrder.State.PENDING_OPENING)[:20],
            # 000 §3.6.2: 售后支持组 confirms the SaaS orders 商务 approved (and whether to integrate)
            "pending_confirm": waiting_orders.filter(state=CloudOrder.State.PENDING_CONFIRM)[:20]
            if team == Team.SUPPORT
            else [],
        },
        status=400 if refused else result.status,
    )


@login_required
def request_new(request):
    user = request.user
    if not is_cs(user):
        raise PermissionDenied("只有客户成功部人员可以提交客户服务申请")
    initial = {"type": request.GET.get("type", "")}
    form = ServiceRequestForm(request.POST or None, initial=initial)
    errors: list[str] = []
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            typed = {k.split("-", 1)[1]: v for k, v in request.POST.items() if k.startswith(f"{data['type']}-")}
            try:
                created = services.service_request_file(
                    actor=user,
                    type=data["type"],
                    customer_name=data["customer_name"],
                    data=typed,
                    project=data["project_code"],
                    team=data["team"],
                )
            except REFUSED as exc:
                errors = [str(exc)]
            else:
                messages.success(request, f"客户服务申请 {created.number} 已提交{created.get_team_display()}")
                return redirect(created.get_absolute_url())
        else:
            errors = form_error_lines(form)
    chosen = form["type"].value() or ""
    return render(
        request,
        "success/request_new.html",
        {"form": form, "type_forms": type_forms(request.POST or None), "chosen": chosen, "errors": errors},
    )


def _visible_request(user, pk: int) -> ServiceRequest:
    row = get_object_or_404(ServiceRequest.objects.select_related("project", "licence__product", "handler"), pk=pk)
    if not services.service_request_can_view(user, row):
        raise Http404
    return row


def _renewal(row: ServiceRequest) -> bool:
    return row.type == ServiceRequest.Type.LICENCE_RENEWAL


def _request_page(request, row: ServiceRequest, *, bound: dict | None = None, error: str = ""):
    user = request.user
    can_work = any(task_can_act(user, t) for t in open_tasks_for(row))
    bound = bound or {}
    open_state = row.state in (ServiceRequest.State.PENDING, ServiceRequest.State.IN_PROGRESS)
    can_cancel = open_state and (user.is_superuser or row.filed_by_id == user.pk or row.team in roles_of(user))
    context = {
        "r": row,
        "spec": SERVICE_TYPES.get(row.type),
        "details": details_display(row),
        "history": audit_for(row),
        "can_work": can_work,
        "finish_form": bound.get("finish") or (FinishForm(renewal=_renewal(row)) if can_work else None),
        "cancel_form": bound.get("cancel") or (CancelForm() if can_cancel else None),
        "error": error,
        "overdue": row.is_overdue(timezone.now()),
    }
    return render(request, "success/request.html", context)


@login_required
def request_detail(request, pk: int):
    return _request_page(request, _visible_request(request.user, pk))


@login_required
@require_POST
def request_action(request, pk: int, action: str):
    row = _visible_request(request.user, pk)
    forms = {"finish": FinishForm, "cancel": CancelForm}
    if action not in (*forms, "start"):
        raise Http404
    extra = {"renewal": _renewal(row)} if action == "finish" else {}
    form = forms[action](request.POST, **extra) if action in forms else None
    if form is not None and not form.is_valid():
        return _request_page(request, row, bound={action: form}, error="；".join(form_error_lines(form)))
    try:
        if action == "start":
            services.service_request_start(request=row, actor=request.user)
        elif action == "finish":
            data = form.cleaned_data
            services.service_request_finish(
                request=row, actor=request.user, result=data["result"], new_expires_on=data.get("new_expires_on")
            )
        else:
            services.service_request_cancel(request=row, actor=request.user, reason=form.cleaned_data["reason"])
    except REFUSED as exc:
        return _request_page(request, row, bound={action: form} if form else None, error=str(exc))
    messages.success(request, "已处理")
    return redirect(row.get_absolute_url())


# ---------------------------------------------------------------------------------------------
# the licence register (授权台账)


@login_required
def licence_list(request):
    user = request.user
    rows = licences_visible(user)
    form = LicenceFilterForm(request.GET or None)
    today = timezone.localdate()

    def apply(rows, data):
        within = data["within"]
        if within == "expired":
            rows = rows.filter(expires_on__lt=today)
        elif within:
            rows = rows.filter(expires_on__gte=today, expires_on__lte=today + timezone.timedelta(days=int(within)))
        return rows

    rows, refused = _filtered(request, rows, form, apply)
    result = list_result(request, rows, LICENCES, filter_form=form)
    if result.exporting and not refused:
        return export_response(result)
    page = result.page()
    for row in page.object_list:
        row.days_left = (row.expires_on - today).days
    can_edit = user.is_superuser or bool(roles_of(user) & {"product_dept", "cs_ops", "cs_support", "cs_head"})
    rows_html = licence_rows(
        page.object_list, can_edit=can_edit, csrf_token=get_token(request), next_path=request.get_full_path()
    )
    context = {"list": result, "page": page, "rows": rows_html, "form": form, "can_edit": can_edit}
    context["reminder_days"] = services.reminder_days()
    return render(
        request,
        "success/licences.html",
        context,
        status=400 if refused else result.status,
    )


@login_required
@require_POST
def licence_term(request, pk: int):
    licence = get_object_or_404(licences_visible(request.user), pk=pk)
    form = TermForm(request.POST)
    target = request.POST.get("next", "")
    if not target.startswith("/") or target.startswith("//"):
        target = workspace.tab_url(licence.project, "licences") if licence.project else "success:licences"
    if not form.is_valid():
        messages.error(request, "；".join(form_error_lines(form)))
        return redirect(target)
    try:
        services.licence_term_set(
            licence=licence,
            actor=request.user,
            starts_on=form.cleaned_data["starts_on"],
            expires_on=form.cleaned_data["expires_on"],
        )
    except REFUSED as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "授权期限已修改")
    return redirect(target)
