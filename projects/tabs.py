"""The project workspace (项目工作台): its header and the eight built-in tabs.

The header — name, code, state, the phase bar, key facts and the next action — is rendered once
with the full page; switching tabs (htmx) swaps only the panel. Each built-in tab reads only what
its fragment shows, so a tab costs its own rows and no more. Who may do what on the project is
read once per request (`access`): one guardian checker with the project's permissions prefetched.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from guardian.core import ObjectPermissionChecker

from approvals.selectors import open_tasks_for
from pmis.audit.selectors import audit_for
from pmis.catalog.models import DocumentType
from pmis.documents.models import Attachment
from pmis.documents.selectors import attachments_for
from pmis.org.roles import ROLE_BY_CODE
from registrations.models import Registration

from . import services, team, workspace
from .forms import DeliveryTaskForm, EstimateForm, RequirementForm, TeamForm, WeeklyReportForm
from .gates import (
    EARLY_RULE,
    DocumentNames,
    gate_checklist,
    gate_missing,
    new_work_refusal,
    phase_checklist,
    present_documents,
    product_request_refusal,
)
from .models import PHASE_ORDER, DeliveryTask, Project, RequirementItem, State
from .selectors import project_can_view, projects_visible

# the forward step out of each phase (the PM's next action); 移交中 waits on the receiver
FORWARD = {
    State.INITIATED: "start_requirements",
    State.REQUIREMENTS: "start_implementation",
    State.IMPLEMENTING: "start_trial_run",
    State.TRIAL_RUN: "go_live",
    State.LIVE: "start_acceptance",
    State.ACCEPTANCE: "submit_handover",
    State.SUSPENDED: "resume",
}
HANDED_OVER_STATES = (State.ACCEPTANCE, State.HANDOVER, State.MAINTENANCE, State.CLOSED, State.SUSPENDED)
# actions that end or pause the project rather than move it on
DANGER_ACTIONS = ("suspend", "terminate_after_trial")
TASK_DOCUMENT_TYPES = (
    "customer-service-form",
    "install-debug-report",
    "main-flow-checklist",
    "training-attendance",
    "change-request",
)


# ---------------------------------------------------------------------------------------------
# who may do what, read once per request


@dataclass(frozen=True)
class Access:
    manage: bool  # 项目管理员: PM, regional PM of the region, director
    member: bool  # may work on the project: manage or 实施人员


def access(request, project: Project) -> Access:
    cached = getattr(request, "_workspace_access", None)
    if cached is not None and cached[0] == project.pk:
        return cached[1]
    user = request.user
    # the checks that need no query first: a director or the PM manages whatever the object
    # permissions say, so they are read only for the others
    manage = (
        project.pm_id == user.pk or services.is_director(user, project) or services.is_regional_pm_for(user, project)
    )
    if manage:
        result = Access(manage=True, member=True)
    else:
        checker = ObjectPermissionChecker(user)
        checker.prefetch_perms([project])
        perms = set(checker.get_perms(project))
        manage = "manage_project" in perms
        result = Access(manage=manage, member=manage or "implement_project" in perms)
    request._workspace_access = (project.pk, result)
    return result


def _missing(request, project: Project, action: str) -> list[str]:
    """gate_missing for one action, asked once per request (the header and 概览 both show it)."""
    cache = getattr(request, "_workspace_missing", None)
    if cache is None or cache[0] != project.pk:
        cache = (project.pk, {})
        request._workspace_missing = cache
    if action not in cache[1]:
        present, names = _present(request, project), _document_names(request)
        cache[1][action] = gate_missing(project, action, present=present, names=names)
    return cache[1][action]


def _document_names(request) -> DocumentNames:
    """The document types' names, read at most once per request (the header's gate, 概览's
    checklist and 文档's phase checklist all name documents)."""
    names = getattr(request, "_workspace_document_names", None)
    if names is None:
        names = request._workspace_document_names = DocumentNames()
    return names


def _present(request, project: Project) -> set[str]:
    cached = getattr(request, "_workspace_present", None)
    if cached is None or cached[0] != project.pk:
        cached = (project.pk, present_documents(project))
        request._workspace_present = cached
    return cached[1]


# ---------------------------------------------------------------------------------------------
# the header


def phase_bar(project: Project) -> list[dict]:
    """Every phase in order (移交中 and 运维 included), each done, current or to come. A suspended
    project marks the phase it will resume in; a terminated one the trial run it ended in."""
    marker = ""
    here = project.state
    if here == State.SUSPENDED:
        here, marker = project.suspended_from or State.INITIATED, "已暂停"
    elif here == State.TERMINATED:
        here, marker = State.TRIAL_RUN, "已终止"
    index = PHASE_ORDER.index(here) if here in PHASE_ORDER else -1
    return [
        {
            "label": State(phase).label,
            "status": "done" if i < index else ("current" if i == index else "todo"),
            "marker": marker if i == index else "",
        }
        for i, phase in enumerate(PHASE_ORDER)
    ]


def _waiting_on_handover(project: Project) -> str:
    handover = project.handovers.order_by("-pk").first()
    task = open_tasks_for(handover).select_related("group", "assignee").first() if handover else None
    if task is None:
        return "等待接收方审核移交"
    role = ROLE_BY_CODE.get(task.group.name) if task.group else None
    who = str(task.assignee or (role.label if role else "接收方"))
    step = task.step_label.removeprefix(who) or task.step_label  # "系统服务部审核移交材料" waits on 系统服务部
    return f"等待 {who}：{step}"


def next_action(request, project: Project) -> dict:
    """The PM's next step, or what the project waits on. `missing` lists why the step cannot be
    taken yet; the page shows the button disabled with those reasons next to it."""
    state = project.state
    if state == State.CLOSED:
        return {"waiting": "项目已关闭"}
    if state == State.TERMINATED:
        return {"waiting": "项目已终止"}
    if state == State.MAINTENANCE:
        return {"waiting": "项目已移交，处于运维阶段（售后运维跟进）"}
    if state == State.HANDOVER:
        return {"waiting": _waiting_on_handover(project)}
    action = FORWARD[state]
    label = services.PHASE_ACTIONS[action]
    if not access(request, project).manage:
        return {"waiting": f"等待 项目经理 {project.pm or '（未指定）'}：{label}"}
    return {
        "action": action,
        "label": label,
        "handover": action == "submit_handover",
        "missing": _missing(request, project, action),
    }


def _registration_number(project: Project) -> str:
    """立项依据 falls back to the registration's number: read alone, not the whole registration."""
    if project.basis or project.registration_id is None:
        return ""
    if Project.registration.is_cached(project):
        return project.registration.number
    return Registration.objects.filter(pk=project.registration_id).values_list("number", flat=True).first() or ""


def header_context(request, project: Project) -> dict:
    return {
        "phases": phase_bar(project),
        "registration_number": _registration_number(project),
        "next": next_action(request, project),
        # whoever may open a project may read the registration it came from (registration_can_view:
        # the team of a project initiated from it), so the link needs no check of its own
        "registration_link": project.registration_id is not None,
    }


def tab_links(request, project: Project, current: workspace.Tab) -> list[dict]:
    url = workspace.tab_urls(project)
    return [
        {
            "tab": t,
            "url": url(t.slug),
            "current": t.slug == current.slug,
            "count": t.count(request.user, project) if t.count else None,
        }
        for t in workspace.tabs_for(request.user, project)
    ]


def tab_bar(links: list[dict]) -> str:
    """The tab bar's links, written here rather than in a template loop: the bar holds every tab
    and is on every workspace page (and in every htmx swap)."""
    return format_html_join(
        "",
        '<a href="{0}" hx-get="{0}" hx-target="#tab-panel" hx-push-url="true" role="tab" id="tab-{1}" data-tab="{1}"'
        ' aria-selected="{2}"{3}>{4}{5}</a>',
        (
            (
                link["url"],
                link["tab"].slug,
                "true" if link["current"] else "false",
                mark_safe(' class="current" aria-current="page"') if link["current"] else "",
                link["tab"].label,
                format_html(' <span class="tab-count">{}</span>', link["count"]) if link["count"] is not None else "",
            )
            for link in links
        ),
    )


def common_context(request, project: Project) -> dict:
    rights = access(request, project)
    return {"p": project, "manage": rights.manage, "is_member": rights.member}


# ---------------------------------------------------------------------------------------------
# the built-in tabs


def _typed_rows(request, kind: str, rows) -> None:
    typed = workspace.typed(request)
    if len(typed) == 2 and typed[0] == kind:
        for row in rows:
            if row.pk == typed[1]:
                row.typed = request.POST


def overview_context(request, project: Project) -> dict:
    rights = access(request, project)
    present = _present(request, project)
    available = [t.name for t in project.get_available_state_transitions()]
    steps = []
    if rights.manage:
        steps = [
            {
                "action": a,
                "label": services.PHASE_ACTIONS[a],
                "missing": _missing(request, project, a),
                "danger": a in DANGER_ACTIONS,
                "comment": a in DANGER_ACTIONS,
            }
            for a in services.PHASE_ACTIONS
            if a in available and a != FORWARD.get(project.state)  # the forward step is the header's
        ]
    forward = FORWARD.get(project.state)
    typed = workspace.typed(request)
    return {
        "next_phase_action": services.PHASE_ACTIONS.get(forward, "") if forward else "",
        "gate": gate_checklist(
            project,
            forward,
            present=present,
            missing=_missing(request, project, forward),
            names=_document_names(request),
        )
        if forward
        else [],
        "steps": steps,
        "meeting": getattr(project, "meeting", None),
        "children": projects_visible(request.user).filter(parent=project).order_by("pk"),
        "parent_visible": project.parent_id is not None and project_can_view(request.user, project.parent),
        # a handover exists only once the project has left 验收 for the first time
        "handovers": project.handovers.all() if project.state in HANDED_OVER_STATES else [],
        "typed_transition": request.POST if typed and typed[0] == "transition" else {},
    }


def requirements_context(request, project: Project) -> dict:
    user = request.user
    requirements = list(project.requirements.select_related("customisation", "registration__owner").order_by("pk"))
    _typed_rows(request, "requirement", requirements)
    customisations = [i.customisation for i in requirements if _customisation(i)]
    _typed_rows(request, "customisation", customisations)
    picker = EstimateForm.base_fields["rd_expert"].widget
    for cr in customisations:
        if cr.state in ("estimating", "declined", "rd_returned"):
            # a search box, not a list of every R&D expert per row; a refused form shows the choice again
            typed = getattr(cr, "typed", None)
            cr.rd_expert_picker = picker.render(
                "rd_expert",
                picker.value_from_datadict(typed, None, "rd_expert") if typed else None,
                attrs={"id": f"rd-expert-{cr.pk}", "aria-label": "研发评估人"},
            )
    if project.registration_id and not Project.registration.is_cached(project):
        # the responsible sales is the registration's owner: one query for both
        project.registration = Registration.objects.select_related("owner").get(pk=project.registration_id)
    sales = services._responsible_sales(project)
    for item in requirements:
        item.is_sales = (item.registration.owner if item.registration_id else sales) == user
        # a registration tracked as a requirement of this project is readable by whoever may open
        # the project (registration_can_view: the project that tracks it), so no query per row
        item.registration_link = bool(item.registration_id)
    confirm_refusal = ""
    if not project.requirements_confirmed_at and "requirement-confirmation" not in _present(request, project):
        confirm_refusal = "尚未上传《需求确认单》：请先在“文档”中上传，再确认需求"
    return {
        "requirements": requirements,
        "requirement_form": RequirementForm(),
        "classifications": RequirementItem.Classification.choices,
        "statuses": RequirementItem.Status.choices,
        "confirm_refusal": confirm_refusal,
        **workspace.section_context(request, project, "requirements"),
    }


def _customisation(item):
    return getattr(item, "customisation", None)


def tasks_context(request, project: Project) -> dict:
    tasks = list(project.delivery_tasks.select_related("assignee").order_by("pk"))
    _typed_rows(request, "task", tasks)
    ct = ContentType.objects.get_for_model(DeliveryTask)
    by_task: dict[int, list] = {}
    rows = Attachment.objects.filter(content_type=ct, object_id__in=[t.pk for t in tasks]).select_related("doc_type")
    for row in rows.order_by("doc_type__sort_order", "-version"):
        by_task.setdefault(row.object_id, []).append(row)
    for task in tasks:
        task.documents = by_task.get(task.pk, [])
    mine = any(t.assignee_id == request.user.pk for t in tasks)
    return {
        "tasks": tasks,
        "task_form": DeliveryTaskForm(),
        "work_refusal": new_work_refusal(project),
        "early_rule": EARLY_RULE if project.requirements_confirmed_at is None else "",
        "task_upload_types": DocumentType.objects.filter(code__in=TASK_DOCUMENT_TYPES) if mine else [],
        "task_content_type_id": ct.pk,
        "tasks_url": workspace.tab_url(project, "tasks"),
    }


def product_requests_context(request, project: Project) -> dict:
    return {
        "product_requests": project.product_requests.select_related("requester").order_by("-created_at")[:20],
        "product_request_refusal": product_request_refusal(project) if access(request, project).member else "",
    }


def documents_context(request, project: Project) -> dict:
    rights = access(request, project)
    return {
        "checklist": phase_checklist(project, present=_present(request, project), names=_document_names(request)),
        "documents": attachments_for(project),
        "can_upload": rights.member,
        "upload_types": DocumentType.objects.exclude(code__in=["licence-file", "registration-form"])
        if rights.member
        else [],
        "content_type_id": ContentType.objects.get_for_model(Project).pk,
    }


def weekly_context(request, project: Project) -> dict:
    return {"reports": project.weekly_reports.select_related("author")[:8], "report_form": WeeklyReportForm()}


def team_context(request, project: Project) -> dict:
    members = team.members(project)
    context = {"members": members}
    if access(request, project).manage:
        implementers = members[team.ROLE_LABELS["implement_project"]]
        context["team_form"] = TeamForm(initial={"pm": project.pm, "implementers": implementers})
    return context


def history_context(request, project: Project) -> dict:
    return {"history": audit_for(project)}


def _counts(project: Project) -> tuple[int, int]:
    """The badges of 需求 and 任务 — open requirements, delivery tasks still to do — read together
    once for the project object of the request. Every tab shows them, so they are one plain
    statement: built with the ORM's subquery expressions it cost several times the query itself."""
    counts = getattr(project, "_workspace_counts", None)
    if counts is None:
        requirements, tasks = RequirementItem._meta.db_table, DeliveryTask._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT COUNT(*) FROM {requirements} WHERE project_id = %s AND status <> %s),"
                f" (SELECT COUNT(*) FROM {tasks} WHERE project_id = %s AND state NOT IN (%s, %s))",
                [
                    project.pk,
                    RequirementItem.Status.CANCELLED.value,
                    project.pk,
                    DeliveryTask.State.DONE.value,
                    DeliveryTask.State.CANCELLED.value,
                ],
            )
            counts = tuple(cursor.fetchone())
        project._workspace_counts = counts
    return counts


def _requirement_count(user, project: Project) -> int:
    return _counts(project)[0]


def _open_task_count(user, project: Project) -> int:
    return _counts(project)[1]


BUILT_IN = (
    workspace.Tab("overview", "概览", 10, "projects/tabs/overview.html", overview_context),
    workspace.Tab(
        "requirements", "需求", 20, "projects/tabs/requirements.html", requirements_context, count=_requirement_count
    ),
    workspace.Tab("tasks", "任务", 30, "projects/tabs/tasks.html", tasks_context, count=_open_task_count),
    workspace.Tab("product-requests", "产品领取", 40, "projects/tabs/product_requests.html", product_requests_context),
    workspace.Tab("documents", "文档", 50, "projects/tabs/documents.html", documents_context),
    workspace.Tab("weekly", "周报", 60, "projects/tabs/weekly.html", weekly_context),
    workspace.Tab("team", "项目组", 70, "projects/tabs/team.html", team_context),
    workspace.Tab("history", "历史", 80, "projects/tabs/history.html", history_context),
)


def register_built_in() -> None:
    for tab in BUILT_IN:
        workspace.register(tab)
