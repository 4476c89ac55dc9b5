from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from approvals.decisions import decision_view
from approvals.errors import DomainError
from approvals.selectors import task_can_act
from planning.health import window_days as health_window_days
from planning.selectors import formula as health_formula
from pmis.audit.selectors import audit_for
from pmis.catalog.models import DocumentType
from pmis.documents.selectors import attachments_for
from pmis.forms import filter_errors, form_error_lines
from pmis.lists import export_response, list_result, rows_by_id
from pmis.org.selectors import user_role_codes
from registrations.models import Registration
from registrations.selectors import registration_can_view

from . import services, tabs, workspace
from .forms import (
    DeliveryTaskForm,
    EstimateForm,
    InitiationForm,
    NewsForm,
    ProductItemFormSet,
    ProjectFilterForm,
    RequirementForm,
    RequirementUpdateForm,
    TeamForm,
    WeeklyReportForm,
)
from .gates import (
    EARLY_RULE,
    product_request_refusal,
)
from .lists import (
    NEWS,
    WEEKLY_MISSING,
    NewsFilterForm,
    WeeklyMissingFilterForm,
    project_rows,
    projects_spec,
    weekly_missing_rows,
)
from .models import CustomisationRequest, DeliveryTask, ProductRequest, Project, RequirementItem
from .selectors import (
    EVERY_PROJECT,
    customisation_can_view,
    my_projects,
    news_for,
    product_request_can_view,
    projects_visible,
    visible_project_ids_sql,
    weekly_missing_for,
    with_list_columns,
)


def _project_or_404(user, pk: int) -> Project:
    # Only what the workspace header shows on every tab is joined: the registration, parent project
    # and handover meeting are wide rows that one tab each reads, and joining them on every tab
    # cost more than the tab that needs one reading it on its own.
    if visible_project_ids_sql(user) == EVERY_PROJECT:  # a director: read by id, a statement kept
        project = rows_by_id(Project.objects.select_related("region", "pm"), [pk]).get(pk)
    else:
        project = projects_visible(user).select_related("region", "pm").filter(pk=pk).first()
    if project is None:
        raise Http404
    project._visible_to = user.pk  # read through projects_visible: project_can_view need not ask again
    return project


# which workspace tab shows a refused form again: by the row form ("requirement", pk) or the form's name
TYPED_TABS = {
    "requirement": "requirements",
    "customisation": "requirements",
    "task": "tasks",
    "transition": workspace.OVERVIEW,
    "requirement_form": "requirements",
    "task_form": "tasks",
    "report_form": "weekly",
    "team_form": "team",
}


def _act(request, project: Project, call, success: str, tab: str, anchor: str = "", *, typed: tuple = ()):
    """Run one service for a form in a workspace tab. Success goes back to that tab; a refusal
    shows the tab again with the Chinese message and what was typed in that form (`typed`: which
    form, and the row it belongs to)."""
    try:
        call()
    except (DomainError, PermissionDenied) as exc:
        return _refused(request, project, str(exc), tab=tab, typed=typed)
    messages.success(request, success)
    return redirect(workspace.tab_url(project, tab) + anchor)


def _refused(request, project: Project, message: str, *, tab: str, typed: tuple = ()):
    messages.error(request, message)
    return _workspace_page(request, project, tab, typed=typed)


# ---------------------------------------------------------------------------------------------
# initiation


@login_required
def initiate(request, registration_pk: int):
    registration = get_object_or_404(
        Registration.objects.select_related("owner", "region", "parent_project__region"), pk=registration_pk
    )
    if not registration_can_view(request.user, registration):
        raise Http404
    task = services.initiation_task(registration)
    if task is None or not task_can_act(request.user, task):
        raise PermissionDenied("您无权为该登记立项")
    new_project = not services.tracked_on_parent(registration)
    region = registration.region or registration.parent_project.region
    if request.method == "POST":
        form = InitiationForm(request.POST, new_project=new_project)
        if form.is_valid():
            data = form.cleaned_data
            try:
                project = services.project_initiate(
                    registration=registration,
                    actor=request.user,
                    name=data["name"],
                    overview=data["overview"],
                    svn_path=data["svn_path"],
                    feasibility=data["feasibility"],
                    risk=data["risk"],
                    pm=data["pm"],
                    implementers=list(data["implementers"]),
                    meeting=form.meeting(),
                    size=data.get("size", ""),
                )
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                if new_project:
                    messages.success(request, f"已立项：{project.code} {project.name}")
                    return redirect(project.get_absolute_url())
                messages.success(
                    request, f"未新签合同，不另立项：已在原项目 {project.code} {project.name} 中以需求条目跟进"
                )
                return redirect(workspace.tab_url(project, "requirements"))
    else:
        name = services.suggested_name(registration)
        form = InitiationForm(
            new_project=new_project,
            initial={
                "name": name,
                "overview": services.suggested_overview(registration),
                "svn_path": region.svn_path(project_name=name, year=timezone.localdate().year),
                "pm": services.suggested_pm(registration),
                "participants": "、".join(str(u) for u in (registration.owner, registration.presales) if u),
            },
        )
    return render(
        request,
        "projects/initiate.html",
        {
            "form": form,
            "r": registration,
            "new_project": new_project,
            "suggested_pm": services.suggested_pm(registration),
        },
    )


# ---------------------------------------------------------------------------------------------
# lists


def _filtered(request, projects, *, scope: str = ""):
    """Apply the list's filters. A value that is not valid is refused with a message and the list
    comes back empty (never the whole list with the filter silently dropped)."""
    form = ProjectFilterForm(request.GET or None, projects=projects, scope=scope)
    if form.is_bound and not form.is_valid():
        messages.error(request, f"筛选条件无效，请修改后重试（{form.error_text()}）")
        return form, projects.none()
    if form.is_valid():
        data = form.cleaned_data
        if data["region"]:
            projects = projects.filter(region=data["region"])
        if data["state"]:
            projects = projects.filter(state=data["state"])
        if data["kind"]:
            projects = projects.filter(kind=data["kind"])
        if data["pm"]:
            projects = projects.filter(pm=data["pm"])
    return form, with_list_columns(projects)


def _list_page(request, projects, form, *, title: str):
    refused = form.is_bound and not form.is_valid()  # _filtered has emptied the list and said why
    window = health_window_days()  # read once for every row's health and the formula under the list
    result = list_result(request, projects, projects_spec(window), filter_form=form, scope=title)
    if result.exporting and not refused:
        return export_response(result)
    page = result.page()
    context = {"list": result, "page": page, "rows": project_rows(page.object_list), "form": form, "title": title}
    context["health_formula"] = health_formula(window)
    return render(
        request,
        "projects/list.html",
        context,
        status=400 if refused else result.status,
    )


@login_required
def mine(request):
    form, projects = _filtered(request, my_projects(request.user), scope="mine")
    return _list_page(request, projects, form, title="我的项目")


# who has a 全部项目 list: each sees there what projects_visible gives them (the director, the CM
# engineer and the executives every project; a regional PM the region's; the cs manager SaaS ones)
ALL_PROJECTS_ROLES = frozenset({"project_director", "regional_pm", "cs_manager", "cm_engineer", "executive"})


@login_required
def all_projects(request):
    roles = user_role_codes(request.user)
    if not (request.user.is_superuser or roles & ALL_PROJECTS_ROLES):
        raise PermissionDenied("只有项目总监、区域项目经理、客户成功主管、CM 工程师与公司高管可以查看全部项目")
    form, projects = _filtered(request, projects_visible(request.user))
    return _list_page(request, projects, form, title="全部项目")


def _form_act(request, project: Project, form, call, *, success: str, invalid: str, form_name: str):
    """Validate a form of a workspace tab, run its service, and on any refusal show the tab again
    with the bound form (what was typed) and the Chinese message."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, success)
            return redirect(workspace.tab_url(project, TYPED_TABS[form_name]))
    else:
        # each error named by its field (a row form shows no errors of its own)
        messages.error(request, "；".join(form_error_lines(form)) or invalid)
    return _workspace_page(request, project, TYPED_TABS[form_name], **{form_name: form})


# ---------------------------------------------------------------------------------------------
# the project workspace (projects/tabs.py builds its header and built-in tabs)


@login_required
def detail(request, pk: int):
    return _workspace_page(request, _project_or_404(request.user, pk), workspace.OVERVIEW)


@login_required
def tab(request, pk: int, slug: str):
    """One workspace tab: the whole page, or only the tab's panel when htmx asks."""
    return _workspace_page(request, _project_or_404(request.user, pk), slug)


def _workspace_page(request, project: Project, slug: str, typed: tuple = (), **forms):
    """The workspace on one tab. After a refused form the tab comes back bound, with what was
    typed: `forms` are the bound forms, `typed` names a refused row form — ("requirement" |
    "customisation" | "task", pk) or ("transition",) — whose row gets the posted values."""
    current = workspace.get(slug)
    if current is None or not current.visible(request.user, project):
        raise Http404
    request._workspace_typed = typed
    context = tabs.common_context(request, project)
    context.update(current.context(request, project))
    context.update(forms)
    links = tabs.tab_links(request, project, current)
    # `tabs` (the visible Tab objects) as fragments written for the first workspace shell expect
    context.update(
        {
            "current_tab": current,
            "tab_links": links,
            "tab_bar": tabs.tab_bar(links),
            "tabs": [link["tab"] for link in links],
        }
    )
    htmx = getattr(request, "htmx", None)
    if request.method == "GET" and htmx and not htmx.history_restore_request:
        response = render(request, "projects/workspace_panel.html", context)
    else:
        context.update(tabs.header_context(request, project))
        response = render(request, "projects/workspace.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_POST
def transition(request, pk: int):
    project = _project_or_404(request.user, pk)
    action = request.POST.get("action", "")
    label = services.PHASE_ACTIONS.get(action, "操作")
    return _act(
        request,
        project,
        lambda: services.project_transition(
            project=project, actor=request.user, action=action, comment=request.POST.get("comment", "")
        ),
        f"已{label}",
        workspace.OVERVIEW,
        typed=("transition",),
    )


@login_required
@require_POST
def team_update(request, pk: int):
    project = _project_or_404(request.user, pk)
    return _form_act(
        request, project, TeamForm(request.POST),
        lambda data: services.project_team_set(
            project=project, actor=request.user, pm=data["pm"], implementers=list(data["implementers"])
        ),
        success="项目组已更新", invalid="请选择项目经理", form_name="team_form",
    )  # fmt: skip


@login_required
@require_POST
def requirement_add(request, pk: int):
    project = _project_or_404(request.user, pk)
    return _form_act(
        request, project, RequirementForm(request.POST),
        lambda data: services.requirement_add(project=project, actor=request.user, **data),
        success="需求已登记", invalid="请填写需求", form_name="requirement_form",
    )  # fmt: skip


@login_required
@require_POST
def requirement_update(request, pk: int, item_pk: int):
    project = _project_or_404(request.user, pk)
    item = get_object_or_404(RequirementItem, pk=item_pk, project=project)
    form = RequirementUpdateForm(request.POST, instance=RequirementItem(project=project))
    if not form.is_valid():
        return _refused(request, project, "分类或状态无效", tab="requirements", typed=("requirement", item.pk))
    return _act(
        request,
        project,
        lambda: services.requirement_update(
            item=item,
            actor=request.user,
            classification=form.cleaned_data["classification"],
            status=form.cleaned_data["status"],
            follow_up=form.cleaned_data["follow_up"],
        ),
        "需求已更新",
        "requirements",
        typed=("requirement", item.pk),
    )


@login_required
@require_POST
def requirements_confirm(request, pk: int):
    project = _project_or_404(request.user, pk)
    return _act(
        request,
        project,
        lambda: services.requirements_confirm(project=project, actor=request.user),
        "需求已确认",
        "requirements",
    )


def _customisation_can_view(user, cr: CustomisationRequest) -> bool:
    return projects_visible(user).filter(pk=cr.requirement.project_id).exists()


def _customisation_url(cr: CustomisationRequest) -> str:
    return reverse("projects:tab", args=[cr.requirement.project_id, "requirements"])


def _customisation_or_404(user, pk: int, cr_pk: int) -> CustomisationRequest:
    cr = get_object_or_404(
        CustomisationRequest.objects.select_related("requirement__project__region", "rd_expert"),
        pk=cr_pk,
        requirement__project_id=pk,
    )
    if not customisation_can_view(user, cr):
        raise Http404
    return cr


@login_required
def customisation_detail(request, pk: int, cr_pk: int):
    return _customisation_page(request, _customisation_or_404(request.user, pk, cr_pk))


def _customisation_page(request, cr: CustomisationRequest, typed=None):
    """The customisation's own page: the PM's estimate, and the 研发经理's confirmation of the
    technical solution and workload (000 §3.3.2, §3.4)."""
    from approvals.selectors import open_tasks_for

    open_task = open_tasks_for(cr).select_related("group", "region", "assignee").first()
    return render(
        request,
        "projects/customisation.html",
        {
            "cr": cr,
            "p": cr.requirement.project,
            "typed": typed or {},
            "open_task": open_task,
            "can_decide": services.customisation_rd_can_act(request.user, cr),
            "history": audit_for(cr.requirement.project).filter(
                action__startswith="customisation.", action_label__endswith=f"：{cr.requirement.title}"
            ),
        },
    )


@login_required
@require_POST
@decision_view(
    CustomisationRequest,
    can_view=customisation_can_view,
    fallback="approvals:inbox",
    pk_kwarg="cr_pk",
)
def customisation_rd(request, pk: int, cr_pk: int):
    cr = _customisation_or_404(request.user, pk, cr_pk)
    decision = request.POST.get("decision", "")
    if decision not in ("confirm", "return"):
        messages.error(request, "请选择确认或退回")
        return _customisation_page(request, cr, typed=request.POST)
    try:
        services.customisation_rd_decide(
            request=cr,
            actor=request.user,
            confirm=decision == "confirm",
            solution=request.POST.get("solution", ""),
            comment=request.POST.get("comment", ""),
        )
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return _customisation_page(request, cr, typed=request.POST)
    done = "已确认技术方案与工作量，已转责任销售确认" if decision == "confirm" else "已退回项目经理重新评估"
    messages.success(request, done)
    return redirect(cr.get_absolute_url())


@login_required
@require_POST
@decision_view(
    CustomisationRequest,
    can_view=_customisation_can_view,
    fallback="approvals:inbox",
    pk_kwarg="cr_pk",
    url=_customisation_url,
)
def customisation_action(request, pk: int, cr_pk: int, action: str):
    project = _project_or_404(request.user, pk)
    cr = get_object_or_404(CustomisationRequest, pk=cr_pk, requirement__project=project)
    if action == "estimate":
        form = EstimateForm(request.POST)
        if not form.is_valid():
            return _refused(request, project, filter_errors(form), tab="requirements", typed=("customisation", cr.pk))
        call = lambda: services.customisation_estimate(  # noqa: E731
            request=cr, actor=request.user, person_days=form.cleaned_data["person_days"],
            note=form.cleaned_data["note"], rd_expert=form.cleaned_data["rd_expert"],
        )  # fmt: skip
    elif action in ("confirm", "decline"):
        call = lambda: services.customisation_confirm(  # noqa: E731
            request=cr, actor=request.user, accept=action == "confirm", comment=request.POST.get("comment", "")
        )
    elif action == "file":
        call = lambda: services.customisation_file(  # noqa: E731
            request=cr, actor=request.user, reference=request.POST.get("reference", "")
        )
    else:
        raise Http404
    return _act(request, project, call, "已处理定制化需求", "requirements", typed=("customisation", cr.pk))


@login_required
@require_POST
def task_assign(request, pk: int):
    project = _project_or_404(request.user, pk)
    return _form_act(
        request, project, DeliveryTaskForm(request.POST),
        lambda data: services.delivery_task_assign(project=project, actor=request.user, **data),
        success="实施任务已指派", invalid="请填写任务类型、名称与实施人员", form_name="task_form",
    )  # fmt: skip


@login_required
@require_POST
def task_act(request, pk: int, task_pk: int):
    project = _project_or_404(request.user, pk)
    task = get_object_or_404(DeliveryTask, pk=task_pk, project=project)
    action = request.POST.get("action", "")
    return _act(
        request,
        project,
        lambda: services.delivery_task_act(
            task=task, actor=request.user, action=action, result=request.POST.get("result", "")
        ),
        f"已{services.DELIVERY_ACTIONS.get(action, '处理')}",
        "tasks",
        f"#task-{task.pk}",
        typed=("task", task.pk),
    )


@login_required
@require_POST
def weekly_report(request, pk: int):
    project = _project_or_404(request.user, pk)
    return _form_act(
        request, project, WeeklyReportForm(request.POST),
        lambda data: services.weekly_report_file(project=project, actor=request.user, **data),
        success="周报已保存", invalid="请填写上周工作与本周计划", form_name="report_form",
    )  # fmt: skip


@login_required
def weekly_missing(request):
    """周报缺报 in the list pattern: region and phase filters in the URL, sortable, exported alike."""
    week_start = services.week_of(timezone.localdate())
    projects = weekly_missing_for(request.user, week_start)
    form = WeeklyMissingFilterForm(request.GET or None)
    refused = form.is_bound and not form.is_valid()
    if refused:
        messages.error(request, f"筛选条件无效，请修改后重试（{'；'.join(form_error_lines(form))}）")
        projects = projects.none()
    elif form.is_bound:
        if form.cleaned_data["region"]:
            projects = projects.filter(region=form.cleaned_data["region"])
        if form.cleaned_data["state"]:
            projects = projects.filter(state=form.cleaned_data["state"])
    result = list_result(request, projects, WEEKLY_MISSING, filter_form=form, scope=f"{week_start:%Y-%m-%d} 起的一周")
    if result.exporting and not refused:
        return export_response(result)
    page = result.page()
    context = {"list": result, "page": page, "rows": weekly_missing_rows(page.object_list), "form": form}
    context["week_start"] = week_start
    return render(
        request,
        "projects/weekly_missing.html",
        context,
        status=400 if refused else result.status,
    )


NEWS_AUTHORS = {"project_director", "aftersales", "aftersales_manager", "cs_head"}


@login_required
def news(request):
    can_post = request.user.is_superuser or bool(user_role_codes(request.user) & NEWS_AUTHORS)
    form = NewsForm(request.POST or None) if can_post else None
    if request.method == "POST":
        if not can_post:
            raise PermissionDenied("只有项目总监、售后与客户成功负责人可以发布项目新闻")
        if form.is_valid():
            services.news_post(
                title=form.cleaned_data["title"], body=form.cleaned_data["body"],
                project=form.project, actor=request.user,
            )  # fmt: skip
            messages.success(request, "新闻已发布")
            return redirect("projects:news")
    filters = NewsFilterForm(request.GET or None)
    items = news_for(request.user)
    refused = filters.is_bound and not filters.is_valid()
    if refused:
        messages.error(request, f"筛选条件无效，请修改后重试（{'；'.join(form_error_lines(filters))}）")
        items = items.none()
    elif filters.is_bound and filters.cleaned_data["region"]:
        items = items.filter(project__region=filters.cleaned_data["region"])
    result = list_result(request, items, NEWS, filter_form=filters)
    if result.exporting and not refused:
        return export_response(result)
    return render(
        request,
        "projects/news.html",
        {"list": result, "page": result.page(), "filters": filters, "form": form},
        status=400 if refused else result.status,
    )


# ---------------------------------------------------------------------------------------------
# product requests


@login_required
def product_request_new(request, pk: int):
    project = _project_or_404(request.user, pk)
    refusal = product_request_refusal(project)
    if refusal:
        messages.error(request, refusal)
        return redirect(workspace.tab_url(project, "product-requests"))
    formset = ProductItemFormSet(request.POST or None, prefix="items")
    if request.method == "POST" and formset.is_valid():
        items = [f.cleaned_data for f in formset if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        try:
            pr = services.product_request_create(
                project=project, actor=request.user, items=items, note=request.POST.get("note", "")
            )
        except (DomainError, PermissionDenied) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"产品领取单 {pr.number} 已提交，等待区域项目经理审核")
            return redirect(pr.get_absolute_url())
    registration = project.registration or (project.parent.registration if project.parent_id else None)
    return render(
        request,
        "projects/product_request_form.html",
        {
            "p": project,
            "formset": formset,
            "registration_number": registration.number if registration else project.basis,
            "early_rule": EARLY_RULE if project.requirements_confirmed_at is None else "",
        },
    )


def _product_request_or_404(user, pk: int, pr_pk: int) -> ProductRequest:
    pr = get_object_or_404(
        ProductRequest.objects.select_related("project__region", "project__pm", "requester"), pk=pr_pk, project_id=pk
    )
    if not product_request_can_view(user, pr):
        raise Http404
    return pr


@login_required
def product_request_detail(request, pk: int, pr_pk: int):
    return _product_request_page(request, _product_request_or_404(request.user, pk, pr_pk))


def _product_request_page(request, pr: ProductRequest, typed=None):
    """The product request page; after a refused action (发放 before the licence is uploaded,
    a return without a reason) it comes back with the download paths, notes and comment typed."""
    from approvals.selectors import open_tasks_for

    # 会签 and 加签 open several tasks of a step: the one this person may answer, else the first
    waiting = list(open_tasks_for(pr).select_related("group", "region", "assignee").order_by("pk"))
    open_task = next((t for t in waiting if task_can_act(request.user, t)), waiting[0] if waiting else None)
    can_act = open_task is not None and task_can_act(request.user, open_task)
    typed = typed or {}
    items = list(pr.items.select_related("product"))
    for item in items:
        item.typed_path = typed.get(f"path_{item.pk}", "")
    return render(
        request,
        "projects/product_request.html",
        {
            "pr": pr,
            "p": pr.project,
            "items": items,
            "typed": typed,
            "open_task": open_task,
            "can_act": can_act,
            "documents": attachments_for(pr),
            "history": audit_for(pr),
            "can_upload": can_act and pr.state == ProductRequest.State.PENDING_PRODUCT,
            "upload_types": DocumentType.objects.filter(code="licence-file"),
            "content_type_id": ContentType.objects.get_for_model(ProductRequest).pk,
        },
    )


@login_required
@require_POST
@decision_view(ProductRequest, can_view=product_request_can_view, fallback="approvals:inbox", pk_kwarg="pr_pk")
def product_request_action(request, pk: int, pr_pk: int, action: str):
    pr = _product_request_or_404(request.user, pk, pr_pk)
    try:
        if action in ("approve", "return"):
            services.product_request_decide(
                request=pr, actor=request.user, approve=action == "approve", comment=request.POST.get("comment", "")
            )
        elif action == "issue":
            paths = {item.pk: request.POST.get(f"path_{item.pk}", "") for item in pr.items.all()}
            services.product_request_issue(
                request=pr, actor=request.user, paths=paths, note=request.POST.get("note", "")
            )
        elif action == "receive":
            services.product_request_receive(request=pr, actor=request.user)
        elif action in ("resubmit", "withdraw"):
            services.product_request_revise(
                request=pr, actor=request.user, resubmit=action == "resubmit", note=request.POST.get("note", "")
            )
        else:
            raise Http404
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc))
        return _product_request_page(request, pr, typed=request.POST)
    messages.success(request, "已处理")
    return redirect(pr.get_absolute_url())
