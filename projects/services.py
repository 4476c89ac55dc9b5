"""Projects: initiation (立项), team, phases and gates, requirements and customisation, delivery
tasks, product requests, weekly reports and news. Every state change is here."""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django_fsm import can_proceed

from approvals.chains import chain_advance, chain_countersigned, chain_current, chain_step_end, chain_take
from approvals.errors import AlreadyDecided, DomainError
from approvals.selectors import open_tasks_for, task_can_act
from approvals.services import next_number, task_close, task_open, task_redirect, tasks_cancel_for
from pmis.audit.services import audit_record
from pmis.documents.selectors import present_doc_type_codes
from pmis.notify.services import notify, notify_once
from pmis.org.selectors import acts_in_region, user_role_codes, users_in_role
from registrations.models import Kind as RegistrationKind
from registrations.models import Registration
from registrations.models import State as RegistrationState
from registrations.services import STEPS as REGISTRATION_STEPS

from . import team
from .gates import (
    delivery_task_refusal,
    gate_missing,
    new_work_refusal,
    present_documents,
    product_request_refusal,
)
from .models import (
    ACTIVE_STATES,
    CustomisationRequest,
    DeliveryTask,
    HandoverMeeting,
    NewsItem,
    ProductRequest,
    ProductRequestItem,
    Project,
    RequirementItem,
    WeeklyReport,
)
from .workspace import tab_url

PHASE_ACTIONS = {
    "start_requirements": "开始需求确认",
    "start_implementation": "进入实施",
    "start_trial_run": "进入试运行",
    "go_live": "正式上线",
    "terminate_after_trial": "试运行不被认可，终止项目",
    "start_acceptance": "进入验收",
    "submit_handover": "提交移交",
    "suspend": "暂停项目",
    "resume": "恢复项目",
}


# ---------------------------------------------------------------------------------------------
# who may do what


def is_director(user, project: Project | None = None) -> bool:
    roles = user_role_codes(user)
    if user.is_superuser or "project_director" in roles:
        return True
    return project is not None and project.kind == Project.Kind.SAAS and "cs_manager" in roles


def is_regional_pm_for(user, project: Project) -> bool:
    return "regional_pm" in user_role_codes(user) and acts_in_region(user, project.region_id)


def can_manage(user, project: Project) -> bool:
    """项目管理员 (the PM), the regional PM of the project's region, or a director."""
    # the object permission is asked last: the other answers need no query
    return (
        project.pm_id == user.pk
        or is_director(user, project)
        or is_regional_pm_for(user, project)
        or user.has_perm("projects.manage_project", project)
    )


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update(of=("self",)).get(pk=project.pk)


# ---------------------------------------------------------------------------------------------
# initiation


def suggested_name(registration: Registration) -> str:
    """001 §3.2.3: 公司（单位）+ 产品类型 + 项目."""
    product_type = registration.product_line or ("SaaS" if registration.kind == RegistrationKind.SAAS else "电子签章")
    if registration.kind == RegistrationKind.UPGRADE:
        product_type = "升级扩展"
    return f"{registration.customer_name}{product_type}项目"


def suggested_overview(registration: Registration) -> str:
    products = "、".join(registration.products.values_list("name", flat=True)) or "—"
    systems = "、".join(str(s) for s in registration.systems.all()) or "无"
    return "\n".join(
        [
            f"客户背景：{registration.customer_name}，{registration.get_enterprise_nature_display() or '—'}，"
            f"主营{registration.main_business or '—'}，用户规模{registration.user_scale or '—'}，"
            f"签署量{registration.signing_volume or '—'}，印章{registration.seal_count or '—'}枚",
            f"部署产品：{products}",
            f"签章方式：{registration.get_seal_handling_display() or '—'}；"
            f"证书：{registration.get_certificate_form_display() or '—'}（{registration.certificate_vendor or '—'}）",
            f"应用场景：{'、'.join(registration.scenario_labels()) or '—'}",
            f"集成系统：{systems}",
            f"销售人员：{registration.owner}",
        ]
    )


def suggested_pm(registration: Registration):
    """就近原则: the regional PM of the registration's region."""
    region = registration.region or (registration.parent_project.region if registration.parent_project_id else None)
    if region is None:
        return None
    return users_in_role("regional_pm", region=region).first()


def tracked_on_parent(registration: Registration) -> bool:
    """An upgrade without a new contract is not initiated: the parent project tracks it (001 §3.4)."""
    return registration.kind == RegistrationKind.UPGRADE and not registration.new_contract


def initiation_task(registration: Registration):
    return open_tasks_for(registration).filter(step=REGISTRATION_STEPS[RegistrationState.DISPATCHED].code).first()


@transaction.atomic
def project_initiate(
    *,
    registration: Registration,
    actor,
    name: str,
    overview: str,
    svn_path: str,
    feasibility: str,
    risk: str,
    pm,
    implementers=(),
    meeting: dict | None = None,
    size: str = "",
) -> Project:
    """立项 from a dispatched registration. An upgrade with a new contract becomes a sub-project of
    its parent; an upgrade without one is tracked on the parent (a requirement item there)."""
    registration = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
    if registration.state != RegistrationState.DISPATCHED:
        raise AlreadyDecided(f"该登记当前为“{registration.get_state_display()}”，不能立项")
    task = initiation_task(registration)
    if task is None or not task_can_act(actor, task):
        raise PermissionDenied("您无权为该登记立项")
    if not feasibility.strip() or not risk.strip():
        raise DomainError("请填写可行性评估与合同风险评估")
    if pm is None:
        raise DomainError("请指定项目经理")
    if size and size not in Project.Size.values:
        raise DomainError("请选择项目规模（大项目 / 小项目）")

    parent = registration.parent_project
    if tracked_on_parent(registration):
        project = parent
        RequirementItem.objects.create(
            project=parent,
            title=f"升级扩展：{registration.title}（{registration.number}）",
            description=registration.other_notes or registration.customisation_needs,
            registration=registration,
            created_by=actor,
        )
        # the sales person who filed it follows it on the parent (业务人员 of 001 §3.4.2)
        if not registration.owner.has_perm(f"projects.{team.VIEW}", parent):
            team.grant_user(parent, registration.owner, "business_project")
        audit_record(
            subject=parent,
            action="project.upgrade_tracked",
            label="登记升级扩展需求",
            actor=actor,
            comment=f"{registration.number}：未新签合同，在原项目中跟进",
            details={"registration": registration.number},
        )
        notify(
            recipients=[u for u in (registration.owner, parent.pm) if u is not None],
            title=f"升级扩展在原项目中跟进：{parent.code} {parent.name}",
            body=f"{registration.number} 未新签合同，不另立项，已作为需求条目在原项目中跟进。",
            link=tab_url(parent, "requirements"),
            subject=parent,
            kind="project_upgrade_tracked",
        )
    else:
        kind = (
            parent.kind
            if registration.kind == RegistrationKind.UPGRADE
            else (Project.Kind.SAAS if registration.kind == RegistrationKind.SAAS else Project.Kind.LOCAL)
        )
        project = Project.objects.create(
            code=next_number("PJ"),
            name=name.strip() or suggested_name(registration),
            kind=kind,
            customer_name=registration.customer_name,
            region=registration.region or parent.region,
            pm=pm,
            parent=parent if registration.kind == RegistrationKind.UPGRADE else None,
            registration=registration,
            overview=overview,
            basis=registration.number,
            svn_path=svn_path,
            feasibility_review=feasibility,
            risk_review=risk,
            size=size,
            initiated_by=actor,
        )
        team.grant_user(project, pm, "manage_project")
        for implementer in implementers:
            team.grant_user(project, implementer, "implement_project")
        team.grant_user(project, registration.owner, "business_project")
        team.grant_groups(project, upgrade=registration.kind == RegistrationKind.UPGRADE)
        if meeting:
            HandoverMeeting.objects.create(project=project, **meeting)
        audit_record(
            subject=project,
            action="project.initiate",
            label="立项",
            actor=actor,
            to_state=project.state,
            details={"registration": registration.number, "pm": pm.pk},
        )
        task_open(
            subject=project,
            step="project.requirements",
            step_label="需求确认",
            title=f"{project.code} {project.name}",
            link=project.get_absolute_url(),
            assignee=pm,
            policy=None,
        )
        notify(
            recipients=[pm, *implementers, registration.owner],
            title=f"项目已立项：{project.name}",
            body=f"立项依据 {registration.number}；项目经理：{pm}",
            link=project.get_absolute_url(),
            subject=project,
            kind="project_initiated",
        )

    task_close(task=task, actor=actor, outcome="initiated")
    registration.mark_initiated()
    registration.save(update_fields=["state", "updated_at"])
    audit_record(
        subject=registration,
        action="registration.initiate",
        label="已立项",
        actor=actor,
        from_state=RegistrationState.DISPATCHED,
        to_state=registration.state,
        details={"project": project.pk, "project_code": project.code},
    )
    return project


@transaction.atomic
def project_team_set(*, project: Project, actor, pm, implementers) -> Project:
    """The PM (or a director) changes the team; a removed member loses access at once."""
    project = _lock(project)
    _require(can_manage(actor, project), "只有项目经理、区域项目经理或项目总监可以调整项目组")
    old_pm = project.pm
    if old_pm != pm:
        if old_pm is not None:
            team.revoke_user(project, old_pm, "manage_project")
        team.grant_user(project, pm, "manage_project")
        project.pm = pm
        project.save(update_fields=["pm", "updated_at"])
    current = set(team.users_with_role(project, "implement_project"))
    wanted = set(implementers)
    for user in current - wanted:
        team.revoke_user(project, user, "implement_project")
    for user in wanted - current:
        team.grant_user(project, user, "implement_project")
    audit_record(
        subject=project,
        action="project.team",
        label="调整项目组",
        actor=actor,
        details={"pm": pm.pk, "implementers": sorted(u.pk for u in wanted)},
    )
    leavers = (current - wanted) | ({old_pm} if old_pm is not None and old_pm != pm else set())
    for user in sorted(leavers - {pm}, key=lambda u: u.pk):
        _hand_back_work(project=project, user=user, actor=actor, still_implementer=user in wanted)
    return project


def _project_steps(project: Project):
    """Open inbox steps on the project and on its delivery tasks, customisations and product requests."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Q

    from approvals.models import Task

    cts = ContentType.objects.get_for_models(Project, DeliveryTask, CustomisationRequest, ProductRequest)
    return Task.objects.filter(state=Task.State.OPEN).filter(
        Q(content_type=cts[Project], object_id=project.pk)
        | Q(content_type=cts[DeliveryTask], object_id__in=DeliveryTask.objects.filter(project=project).values("pk"))
        | Q(
            content_type=cts[CustomisationRequest],
            object_id__in=CustomisationRequest.objects.filter(requirement__project=project).values("pk"),
        )
        | Q(content_type=cts[ProductRequest], object_id__in=ProductRequest.objects.filter(project=project).values("pk"))
    )


def _hand_back_work(*, project: Project, user, actor, still_implementer: bool = False) -> None:
    """A member has left the team (or a PM his role): his open delivery tasks on the project are
    cancelled, every other step of the project that waits on him goes to the project's PM, and
    both are told. A former PM who stays as an implementer keeps his delivery tasks."""
    cancelled, handed = [], []
    steps = _project_steps(project).filter(assignee=user)
    if still_implementer:
        steps = steps.exclude(step="delivery.work")
    else:
        open_tasks = DeliveryTask.objects.select_for_update(of=("self",)).filter(
            project=project,
            assignee=user,
            state__in=[DeliveryTask.State.ASSIGNED, DeliveryTask.State.ACCEPTED, DeliveryTask.State.IN_PROGRESS],
        )
        for task in open_tasks:
            task.cancel()
            task.save(update_fields=["state"])
            tasks_cancel_for(subject=task, actor=actor)
            cancelled.append(task.title)
    reason = f"{user} 已移出项目组" if not still_implementer else f"{user} 不再担任项目经理"
    for step in steps:
        task_redirect(task=step, to_user=project.pm, actor=actor, reason=reason)
        handed.append(f"{step.step_label}：{step.title}")
    if not (cancelled or handed):
        return
    lines = [
        f"已取消实施任务：{'、'.join(cancelled)}" if cancelled else "",
        f"改由项目经理 {project.pm} 处理：{'；'.join(handed)}" if handed else "",
    ]
    body = "；".join(line for line in lines if line)
    audit_record(
        subject=project,
        action="project.member_work_handed_back",
        label=f"移出成员的待办已处理：{user}",
        actor=actor,
        comment=body,
        details={"user": user.pk, "cancelled": cancelled, "handed_to_pm": handed},
    )
    notify(
        recipients=[project.pm],
        title=f"{project.name}：{reason}，其待办已收回",
        body=body,
        link=tab_url(project, "tasks"),
        subject=project,
        kind="project_member_removed",
    )
    notify(
        recipients=[user],
        title=f"{project.name}：{reason}",
        body=f"您在该项目的待办已收回（{body}）。",
        link="",
        subject=project,
        kind="project_member_removed",
    )


# ---------------------------------------------------------------------------------------------
# phases


@transaction.atomic
def project_transition(
    *, project: Project, actor, action: str, comment: str = "", via_handover: bool = False
) -> Project:
    """Move a project to its next phase; the gate names what is missing. Handing over goes
    through aftersales.handover_submit, which records the handover with its checklist."""
    if action not in PHASE_ACTIONS:
        raise DomainError("未知的操作")
    if action == "submit_handover" and not via_handover:
        raise DomainError("请通过“提交移交”填写移交单")
    project = _lock(project)
    _require(can_manage(actor, project), "只有项目经理、区域项目经理或项目总监可以推进项目阶段")
    method = getattr(project, action)
    if not can_proceed(method):
        raise DomainError(f"项目当前为“{project.get_state_display()}”，不能{PHASE_ACTIONS[action]}")
    missing = gate_missing(project, action)
    if missing:
        raise DomainError(f"不能{PHASE_ACTIONS[action]}：" + "；".join(missing))
    if action == "suspend" and not comment.strip():
        raise DomainError("暂停项目须填写原因")
    from_state = project.state
    method()
    project.save(update_fields=["state", "suspended_from", "updated_at"])
    audit_record(
        subject=project,
        action=f"project.{action}",
        label=PHASE_ACTIONS[action],
        actor=actor,
        from_state=from_state,
        to_state=project.state,
        comment=comment,
    )
    if action == "terminate_after_trial":
        from delivery.services.reviews import trial_rejection_open

        # 002 试运行: the PM's analysis goes to the executives, who decide what follows
        trial_rejection_open(project=project, actor=actor, analysis=comment)
        notify(
            recipients=users_in_role("project_director"),
            title=f"项目终止：{project.name}（客户不认可试运行结果）",
            body=comment,
            link=project.get_absolute_url(),
            subject=project,
            kind="project_terminated",
        )
    return project


# ---------------------------------------------------------------------------------------------
# requirements and customisation


def _member(user, project: Project) -> bool:
    return can_manage(user, project) or user.has_perm("projects.implement_project", project)


@transaction.atomic
def requirement_add(
    *, project: Project, actor, title: str, description: str = "", classification: str = ""
) -> RequirementItem:
    _require(_member(actor, project), "只有项目组成员可以登记需求")
    if not title.strip():
        raise DomainError("请填写需求")
    item = RequirementItem.objects.create(
        project=project,
        title=title.strip(),
        description=description,
        classification=classification or RequirementItem.Classification.UNCLASSIFIED,
        created_by=actor,
    )
    audit_record(subject=project, action="requirement.add", label=f"登记需求：{item.title}", actor=actor)
    _after_classification(item, actor)
    return item


@transaction.atomic
def requirement_update(
    *, item: RequirementItem, actor, classification: str, status: str, follow_up: str = ""
) -> RequirementItem:
    item = RequirementItem.objects.select_for_update().select_related("project").get(pk=item.pk)
    _require(_member(actor, item.project), "只有项目组成员可以更新需求")
    was_out_of_contract = _needs_customisation(item)
    item.classification, item.status = classification, status
    if follow_up.strip():
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        item.follow_up = f"{item.follow_up}\n[{stamp} {actor}] {follow_up.strip()}".strip()
    item.save(update_fields=["classification", "status", "follow_up", "updated_at"])
    _after_classification(item, actor, reclassified=not was_out_of_contract)
    return item


def _needs_customisation(item: RequirementItem) -> bool:
    return (
        item.classification == RequirementItem.Classification.CUSTOM_OUT_OF_CONTRACT
        and item.status != RequirementItem.Status.CANCELLED
    )


def _after_classification(item: RequirementItem, actor, *, reclassified: bool = True) -> None:
    """An out-of-contract item starts a customisation request: the PM estimates with R&D. An item
    classified otherwise (or cancelled) no longer waits on its request's steps; classified out of
    contract again, a request not yet filed starts over from the estimate."""
    existing = CustomisationRequest.objects.select_for_update().filter(requirement=item).first()
    if not _needs_customisation(item):
        if existing is not None and tasks_cancel_for(subject=existing, actor=actor):
            audit_record(
                subject=item.project,
                action="customisation.withdrawn",
                label=f"需求已重新分类，定制化流程中止：{item.title}",
                actor=actor,
            )
        return
    if existing is not None:
        if not reclassified or existing.state == CustomisationRequest.State.FILED:
            return
        tasks_cancel_for(subject=existing, actor=actor)
        existing.restart()
        existing.save(update_fields=["state", "person_days", "estimate_note", "solution"])
        request = existing
    else:
        request = CustomisationRequest.objects.create(requirement=item)
    project = item.project
    chain_advance(request)  # 定制工作量评估 by the PM
    audit_record(subject=project, action="customisation.open", label=f"合同外定制：{item.title}", actor=actor)


@transaction.atomic
def requirements_confirm(*, project: Project, actor) -> Project:
    """The PM confirms the 需求确认单 (it must be uploaded first)."""
    project = _lock(project)
    _require(can_manage(actor, project), "只有项目经理可以确认需求")
    if "requirement-confirmation" not in present_documents(project):
        raise DomainError("请先上传客户签字的《需求确认单》")
    project.requirements_confirmed_at = timezone.now()
    project.save(update_fields=["requirements_confirmed_at", "updated_at"])
    for task in open_tasks_for(project).filter(step="project.requirements"):
        task_close(task=task, actor=actor, outcome="confirmed")
    audit_record(subject=project, action="project.requirements_confirmed", label="需求已确认", actor=actor)
    return project


def customisation_context(request: CustomisationRequest) -> dict:
    """How a customisation fills in the steps of its chain (approvals.chains, "customisation"):
    the PM's estimate is what the others decide on, so he is the applicant the 研发 step leaves out."""
    project = request.requirement.project
    return {
        "title": f"{project.name}：{request.requirement.title}"
        + (f"（{request.person_days} 人天）" if request.person_days else ""),
        "link": request.get_absolute_url()
        if request.state == CustomisationRequest.State.PENDING_RD
        else tab_url(project, "requirements"),
        "applicant": getattr(request, "estimated_by", None) or project.pm,
        "region": project.region,
    }


def customisation_assignee(request: CustomisationRequest, step):
    """The PM estimates, the named 研发经理 confirms (none named: the role), the responsible sales
    confirms and files."""
    project = request.requirement.project
    if step.code == "customisation.estimate":
        return project.pm
    if step.code == "customisation.rd":
        return request.rd_expert
    return _responsible_sales(project, request.requirement)


def _customisation(request: CustomisationRequest) -> CustomisationRequest:
    return (
        CustomisationRequest.objects.select_for_update(of=("self",))
        .select_related("requirement__project__registration__owner", "requirement__registration__owner")
        .get(pk=request.pk)
    )


def _close_step(subject, step: str, actor, outcome: str) -> None:
    for task in open_tasks_for(subject).filter(step=step):
        task_close(task=task, actor=actor, outcome=outcome)


def _responsible_sales(project: Project, requirement: RequirementItem | None = None):
    """责任销售: of the upgrade registration a requirement tracks, else of the project's registration."""
    if requirement is not None and requirement.registration_id:
        return requirement.registration.owner
    registration = project.registration or (project.parent.registration if project.parent_id else None)
    return registration.owner if registration else None


@transaction.atomic
def customisation_estimate(*, request: CustomisationRequest, actor, person_days, note: str, rd_expert=None):
    """The PM's estimate goes to the named 研发经理 (or, none named, to the 立项专家 / 开发经理
    role) to confirm the technical solution and the workload before the responsible sales sees it."""
    request = _customisation(request)
    project = request.requirement.project
    _require(can_manage(actor, project), "只有项目经理可以提交工作量评估")
    if person_days is None or person_days <= 0:
        raise DomainError("请填写评估的工作量（人天）")
    if rd_expert is not None and "rd_expert" not in user_role_codes(rd_expert):
        raise DomainError(f"{rd_expert} 不是立项专家 / 开发经理，不能作为研发评估人")
    if _responsible_sales(project, request.requirement) is None:
        raise DomainError("该项目没有责任销售，无法提交确认")
    request.estimate(person_days=person_days, note=note, rd_expert=rd_expert)
    request.save(update_fields=["state", "person_days", "estimate_note", "rd_expert"])
    _close_step(request, "customisation.estimate", actor, "estimated")
    _close_step(request, "customisation.revise", actor, "reestimated")
    request.estimated_by = actor  # the 研发 step is never answered by who estimated
    chain_advance(request)
    audit_record(
        subject=project,
        action="customisation.estimate",
        label=f"定制工作量评估：{request.requirement.title}",
        actor=actor,
        comment=f"{person_days} 人天。{note}",
    )
    return request


def customisation_rd_can_act(user, request: CustomisationRequest) -> bool:
    """The 研发经理 the estimate waits on (or, none named, any 立项专家 / 开发经理)."""
    if request.state != CustomisationRequest.State.PENDING_RD:
        return False
    return any(task_can_act(user, task) for task in open_tasks_for(request).filter(step="customisation.rd"))


@transaction.atomic
def customisation_rd_decide(
    *, request: CustomisationRequest, actor, confirm: bool, solution: str = "", comment: str = ""
):
    """000 §3.3.2 / §3.4: R&D confirms the technical solution and the workload, which then goes to
    the responsible sales, and the 项目总监 are told the agreed solution;
    or R&D sends it back to the PM with a reason to estimate again."""
    request = _customisation(request)
    project = request.requirement.project
    _require(customisation_rd_can_act(actor, request), "只有指定的研发评估人可以确认技术方案与工作量")
    solution, comment = (solution or "").strip(), (comment or "").strip()
    if confirm and not solution:
        raise DomainError("请填写与项目总监确认的技术实现方案")
    if not confirm and not comment:
        raise DomainError("退回时请填写原因")
    step, task = chain_take(request, actor)  # 会签 and 加签 open several
    task_close(task=task, actor=actor, outcome="rd_confirmed" if confirm else "rd_returned")
    if confirm and chain_countersigned(request, step, actor, solution):
        return request  # the step moves on when everyone it waits on has confirmed
    chain_step_end(request, step.code, actor)
    if confirm:
        request.rd_confirm(solution=solution)
        request.save(update_fields=["state", "solution"])
    else:
        request.rd_return()
        request.save(update_fields=["state"])
    title = f"{project.name}：{request.requirement.title}"
    if confirm:
        chain_advance(request)  # 定制工作量确认 by the responsible sales
        notify(
            recipients=list(users_in_role("project_director")),
            title=f"研发已确认技术方案：{title}",
            body=f"{actor} 确认了定制需求的技术实现方案（{request.person_days} 人天）：{solution}",
            link=request.get_absolute_url(),
            subject=request,
            kind="customisation_solution",
        )
    else:
        _open_reestimate(request, actor, f"{title}（研发退回：{comment}）")
    audit_record(
        subject=project,
        action="customisation.rd_confirm" if confirm else "customisation.rd_return",
        label=f"研发{'确认' if confirm else '退回'}技术方案与工作量：{request.requirement.title}",
        actor=actor,
        comment=solution if confirm else comment,
    )
    return request


def _open_reestimate(request: CustomisationRequest, actor, title: str) -> None:
    """R&D returned the estimate, or sales declined it: the PM estimates again (or re-classifies
    the item, which cancels this step)."""
    project = request.requirement.project
    task_open(
        subject=request,
        step="customisation.revise",
        step_label="定制工作量重新评估",
        title=title,
        link=tab_url(project, "requirements"),
        assignee=project.pm,
        group="regional_pm",
        region=project.region,
        exclude_user=actor,
    )


@transaction.atomic
def customisation_confirm(*, request: CustomisationRequest, actor, accept: bool, comment: str = ""):
    request = _customisation(request)
    project = request.requirement.project
    _require(_responsible_sales(project, request.requirement) == actor, "只有责任销售可以确认定制工作量")
    if accept:
        request.confirm()
    else:
        if not comment.strip():
            raise DomainError("不认可时请填写原因")
        request.decline()
    request.save(update_fields=["state"])
    _close_step(request, "customisation.confirm", actor, "accepted" if accept else "declined")
    if accept:
        chain_advance(request)  # 发起定制化任务申请 by the same sales
    else:
        # declined: the PM re-estimates with R&D, or re-classifies the item (which cancels this step)
        _open_reestimate(
            request, actor, f"{project.name}：{request.requirement.title}（销售不认可：{comment.strip()}）"
        )
    audit_record(
        subject=project,
        action="customisation.confirm" if accept else "customisation.decline",
        label=f"销售{'确认' if accept else '不认可'}定制工作量：{request.requirement.title}",
        actor=actor,
        comment=comment,
    )
    return request


@transaction.atomic
def customisation_file(*, request: CustomisationRequest, actor, reference: str):
    request = _customisation(request)
    project = request.requirement.project
    _require(_responsible_sales(project, request.requirement) == actor, "只有责任销售可以发起定制化任务申请")
    if not reference.strip():
        raise DomainError("请填写定制化任务申请的编号或说明")
    request.file_task(reference=reference.strip())
    request.save(update_fields=["state", "task_reference"])
    _close_step(request, "customisation.file", actor, "filed")
    audit_record(
        subject=project,
        action="customisation.file",
        label=f"已发起定制化任务：{request.requirement.title}",
        actor=actor,
        comment=reference,
    )
    return request


# ---------------------------------------------------------------------------------------------
# delivery tasks


@transaction.atomic
def delivery_task_assign(
    *, project: Project, actor, type: str, title: str, assignee, description: str = "", due_date=None
) -> DeliveryTask:
    """000 §3.3.3: the regional PM creates an implementation task and assigns an implementer."""
    project = _lock(project)
    _require(can_manage(actor, project), "只有区域项目经理或项目经理可以指派实施任务")
    refusal = delivery_task_refusal(project, type)
    if refusal:
        raise DomainError(refusal)
    if "implementer" not in user_role_codes(assignee) and assignee != project.pm:
        raise DomainError(f"{assignee} 不是实施人员")
    if not title.strip():
        raise DomainError("请填写任务名称")
    task = DeliveryTask.objects.create(
        project=project, type=type, title=title.strip(), description=description, assignee=assignee, due_date=due_date
    )
    if not assignee.has_perm("projects.implement_project", project) and assignee != project.pm:
        team.grant_user(project, assignee, "implement_project")
    task_open(
        subject=task,
        step="delivery.work",
        step_label=f"实施任务 · {task.get_type_display()}",
        title=f"{project.name}：{task.title}",
        link=tab_url(project, "tasks") + f"#task-{task.pk}",
        assignee=assignee,
        policy=None,
    )
    audit_record(
        subject=project,
        action="delivery.assign",
        label=f"指派实施任务：{task.title}",
        actor=actor,
        details={"task": task.pk, "assignee": assignee.pk},
    )
    return task


DELIVERY_ACTIONS = {"accept": "接受任务", "start": "开始任务", "finish": "完成任务", "cancel": "取消任务"}


@transaction.atomic
def delivery_task_act(*, task: DeliveryTask, actor, action: str, result: str = "") -> DeliveryTask:
    task = DeliveryTask.objects.select_for_update(of=("self",)).select_related("project").get(pk=task.pk)
    if action not in DELIVERY_ACTIONS:
        raise DomainError("未知的操作")
    if action == "cancel":
        _require(can_manage(actor, task.project), "只有项目经理可以取消实施任务")
    else:
        _require(task.assignee_id == actor.pk, "只有被指派的实施人员可以处理该任务")
    method = getattr(task, action)
    if not can_proceed(method):
        raise DomainError(f"任务当前为“{task.get_state_display()}”，不能{DELIVERY_ACTIONS[action]}")
    if action == "finish":
        present = present_doc_type_codes(task)
        if task.needs_service_form and "customer-service-form" not in present:
            raise DomainError("实施任务完成前须上传客户签字的《客户服务单》")
        if not present:
            raise DomainError("请先上传任务交付物")
        if not result.strip():
            raise DomainError("请填写完成情况")
        task.finish(result=result, at=timezone.now())
    else:
        method()
    task.save(update_fields=["state", "result", "done_at"])
    if action in ("finish", "cancel"):
        _close_step(task, "delivery.work", actor, action)
    audit_record(
        subject=task.project,
        action=f"delivery.{action}",
        label=f"{DELIVERY_ACTIONS[action]}：{task.title}",
        actor=actor,
        comment=result,
    )
    return task


# ---------------------------------------------------------------------------------------------
# product requests (产品领取单)

PRODUCT_STEPS = {
    ProductRequest.State.PENDING_PM: ("product_request.pm", "区域项目经理审核"),
    ProductRequest.State.PENDING_BUSINESS: ("product_request.business", "商务审核"),
    ProductRequest.State.PENDING_PRODUCT: ("product_request.product", "产品发放"),
    ProductRequest.State.ISSUED: ("product_request.receive", "确认领取"),
    ProductRequest.State.RETURNED: ("product_request.revise", "修改后重新提交或撤回"),
}


def product_request_context(request: ProductRequest) -> dict:
    """How a product request fills in the steps of its chain (approvals.chains, "product_request")."""
    return {
        "title": f"{request.number} {request.project.name}",
        "link": request.get_absolute_url(),
        "applicant": request.requester,
        "region": request.project.region,
    }


def product_request_receiver(request: ProductRequest, step) -> object | None:
    """确认领取 waits on the requester (the project's PM when he has left the team)."""
    if step.code != "product_request.receive":
        return None
    receiver = request.requester
    if not _member(receiver, request.project) and request.project.pm is not None:
        receiver = request.project.pm
    return receiver


def _open_product_step(request: ProductRequest) -> None:
    """The chain "product_request" (approvals.chains) opens the step of the state the request has
    entered — who, 会签 / 或签 and the deadline as the administrator set them; a returned request
    waits on its requester to revise and resubmit, or withdraw."""
    if chain_advance(request):
        return
    if request.state != ProductRequest.State.RETURNED:
        return
    code, label = PRODUCT_STEPS[request.state]
    # told with the reason by _tell_requester
    task_open(
        subject=request,
        step=code,
        step_label=label,
        title=f"{request.number} {request.project.name}",
        link=request.get_absolute_url(),
        assignee=request.requester,
        policy=None,
        notify_waiting=False,
    )


@transaction.atomic
def product_request_create(
    *, project: Project, actor, items: list[dict], note: str = "", fix_release_to=None
) -> ProductRequest:
    """An implementer lists the products; the registration number and SVN path are filled in.

    `fix_release_to`: 产品管理部 releases a product version 研发 fixed, which it has tested and
    reviewed (000 §3.4–3.5), to this person of the project, on a request of its own issued at once
    with each item's download path: the fix of a product the project already holds needs neither
    the regional PM's nor 商务's check. The person confirms receipt as for any product."""
    project = _lock(project)
    if fix_release_to is not None:
        _require("product_dept" in user_role_codes(actor), "只有产品管理部可以向项目发放修复版本")
        refusal = new_work_refusal(project)
        if not refusal and any(not (item.get("download_path") or "").strip() for item in items):
            refusal = "请填写修复版本的下载路径"
    else:
        _require(
            actor.has_perm("projects.implement_project", project) or can_manage(actor, project),
            "只有项目组实施人员可以提交产品领取单",
        )
        kinds = [item.get("kind") or ProductRequestItem.Kind.STANDARD for item in items]
        refusal = product_request_refusal(project, kinds)
    if not items:
        raise DomainError("请至少填写一项产品")
    if refusal:
        raise DomainError(refusal)
    registration = project.registration or (project.parent.registration if project.parent_id else None)
    request = ProductRequest.objects.create(
        project=project,
        number=next_number("LQ"),
        requester=fix_release_to or actor,
        registration_number=registration.number if registration else project.basis,
        svn_path=project.svn_path,
        note=note,
        **({"state": ProductRequest.State.PENDING_PRODUCT} if fix_release_to is not None else {}),
    )
    ProductRequestItem.objects.bulk_create([ProductRequestItem(request=request, **item) for item in items])
    audit_record(
        subject=request, action="product_request.submit", label="提交产品领取单", actor=actor, to_state=request.state
    )
    if fix_release_to is not None:
        issued = "修复版本经产品管理部测试评审通过，随本领取单发放"
        request.issue(note=issued, at=timezone.now())
        request.save(update_fields=["state", "issue_note", "issued_at"])
        audit_record(
            subject=request,
            action="product_request.issue",
            label="修复版本已发放",
            actor=actor,
            from_state=ProductRequest.State.PENDING_PRODUCT,
            to_state=request.state,
            comment=issued,
        )
        _tell_requester(request, "修复版本已发放，请下载并确认领取", note)
    _open_product_step(request)
    return request


def _tell_requester(request: ProductRequest, what: str, body: str, kind: str = "product_request") -> None:
    notify(
        recipients=[request.requester],
        title=f"产品领取单 {request.number}：{what}",
        body=body,
        link=request.get_absolute_url(),
        subject=request,
        kind=kind,
    )


def _product_request(request: ProductRequest) -> ProductRequest:
    return (
        ProductRequest.objects.select_for_update(of=("self",))
        .select_related("project__region", "requester")
        .get(pk=request.pk)
    )


def _current_product_task(request: ProductRequest, actor):
    """The step the request waits on and the task of it this person may answer (会签 and 加签 open
    several); pressed second, “已由 X 于 … 处理”."""
    if request.state == ProductRequest.State.RETURNED:
        task = open_tasks_for(request).filter(step=PRODUCT_STEPS[request.state][0]).first()
        if task is None:
            raise AlreadyDecided("该环节已被他人处理，请刷新页面")
        _require(task_can_act(actor, task), "您无权处理该环节")
        return task, PRODUCT_STEPS[request.state]
    step, task = chain_take(request, actor)
    return task, (step.code, step.label)


@transaction.atomic
def product_request_decide(*, request: ProductRequest, actor, approve: bool, comment: str = "") -> ProductRequest:
    request = _product_request(request)
    if request.state not in (ProductRequest.State.PENDING_PM, ProductRequest.State.PENDING_BUSINESS):
        raise AlreadyDecided(f"该领取单当前为“{request.get_state_display()}”，请刷新页面")
    task, step = _current_product_task(request, actor)
    if not approve and not comment.strip():
        raise DomainError("退回必须填写原因")
    refusal = new_work_refusal(request.project)
    if approve and refusal:
        raise DomainError(f"{refusal}，该领取单只能退回")
    from_state = request.state
    task_close(task=task, actor=actor, outcome="approve" if approve else "return")
    if approve and chain_countersigned(request, chain_current(request), actor, comment):
        return request  # 会签 / 加签: the step moves on when everyone it waits on has approved
    if not approve:
        chain_step_end(request, step[0], actor)
        request.send_back()
    elif from_state == ProductRequest.State.PENDING_PM:
        request.approve_pm()
    else:
        request.approve_business()
    request.save(update_fields=["state"])
    audit_record(
        subject=request,
        action="product_request.approve" if approve else "product_request.return",
        label=f"{step[1]}{'通过' if approve else '退回'}",
        actor=actor,
        from_state=from_state,
        to_state=request.state,
        comment=comment,
    )
    _open_product_step(request)
    _tell_requester(
        request,
        f"{step[1]}{'通过' if approve else '退回，请修改后重新提交或撤回'}",
        comment,
        kind="product_request" if approve else "product_request_returned",
    )
    return request


@transaction.atomic
def product_request_revise(*, request: ProductRequest, actor, resubmit: bool, note: str = "") -> ProductRequest:
    """The requester answers a return: resubmit with a revised note (the chain starts again at the
    regional PM), or withdraw."""
    request = _product_request(request)
    if request.state != ProductRequest.State.RETURNED:
        raise AlreadyDecided(f"该领取单当前为“{request.get_state_display()}”，请刷新页面")
    task, _step = _current_product_task(request, actor)
    if resubmit:
        refusal = new_work_refusal(request.project)
        if refusal:
            raise DomainError(f"{refusal}，该领取单只能撤回")
        if not note.strip():
            raise DomainError("请说明修改了什么")
    task_close(task=task, actor=actor, outcome="resubmitted" if resubmit else "withdrawn")
    if resubmit:
        request.resubmit(note=note.strip())
    else:
        request.withdraw()
    request.save(update_fields=["state", "note"])
    audit_record(
        subject=request,
        action="product_request.resubmit" if resubmit else "product_request.withdraw",
        label="重新提交产品领取单" if resubmit else "撤回产品领取单",
        actor=actor,
        from_state=ProductRequest.State.RETURNED,
        to_state=request.state,
        comment=note,
    )
    _open_product_step(request)
    return request


@transaction.atomic
def product_request_issue(*, request: ProductRequest, actor, paths: dict[int, str], note: str = "") -> ProductRequest:
    """The product department fills the download paths and has uploaded the licence files."""
    request = _product_request(request)
    if request.state != ProductRequest.State.PENDING_PRODUCT:
        raise AlreadyDecided(f"该领取单当前为“{request.get_state_display()}”，请刷新页面")
    task, _step = _current_product_task(request, actor)
    refusal = new_work_refusal(request.project)
    if refusal:
        raise DomainError(f"{refusal}，不能发放产品")
    items = list(request.items.all())
    empty = [str(item) for item in items if not (paths.get(item.pk) or "").strip()]
    if empty:
        raise DomainError("请填写下载路径：" + "、".join(empty))
    if "licence-file" not in present_doc_type_codes(request):
        raise DomainError("请先上传产品授权文件")
    for item in items:
        item.download_path = paths[item.pk].strip()
    ProductRequestItem.objects.bulk_update(items, ["download_path"])
    task_close(task=task, actor=actor, outcome="issued")
    chain_step_end(request, task.step, actor)  # one issue answers the step
    request.issue(note=note, at=timezone.now())
    request.save(update_fields=["state", "issue_note", "issued_at"])
    audit_record(
        subject=request,
        action="product_request.issue",
        label="产品已发放",
        actor=actor,
        from_state=ProductRequest.State.PENDING_PRODUCT,
        to_state=request.state,
        comment=note,
    )
    _open_product_step(request)
    _tell_requester(request, "已发放，请下载并确认领取", note)
    from success.services import licences_from_product_request  # the licence register (授权台账)

    licences_from_product_request(request=request, actor=actor)
    return request


@transaction.atomic
def product_request_receive(*, request: ProductRequest, actor) -> ProductRequest:
    request = _product_request(request)
    if request.state != ProductRequest.State.ISSUED:
        raise AlreadyDecided(f"该领取单当前为“{request.get_state_display()}”")
    task, _step = _current_product_task(request, actor)
    task_close(task=task, actor=actor, outcome="received")
    request.confirm_receipt(at=timezone.now())
    request.save(update_fields=["state", "received_at"])
    audit_record(
        subject=request,
        action="product_request.receive",
        label="确认领取",
        actor=actor,
        from_state=ProductRequest.State.ISSUED,
        to_state=request.state,
    )
    from changes.services import bugs_fix_received  # a product defect's fix version (BUG 修复)

    bugs_fix_received(request=request, actor=actor)
    return request


# ---------------------------------------------------------------------------------------------
# weekly reports and news


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@transaction.atomic
def weekly_report_file(
    *, project: Project, actor, last_week: str, this_week: str, coordination: str = "", week_start: date | None = None
) -> WeeklyReport:
    _require(_member(actor, project), "只有项目组成员可以填写周报")
    if not last_week.strip() or not this_week.strip():
        raise DomainError("请填写上周工作与本周计划")
    week_start = week_of(week_start or timezone.localdate())
    report, created = WeeklyReport.objects.update_or_create(
        project=project,
        week_start=week_start,
        defaults={"author": actor, "last_week": last_week, "this_week": this_week, "coordination": coordination},
    )
    audit_record(
        subject=project,
        action="weekly_report.file",
        label=f"{'填写' if created else '修改'}周报（{week_start:%m-%d} 周）",
        actor=actor,
    )
    if coordination.strip():
        notify(
            recipients=users_in_role("project_director"),
            title=f"周报需协调：{project.name}",
            body=coordination,
            link=tab_url(project, "weekly"),
            subject=project,
            kind="weekly_coordination",
        )
    return report


def projects_missing_report(week_start: date):
    """Active projects without a weekly report for the week."""
    reported = WeeklyReport.objects.filter(week_start=week_start).values("project_id")
    return (
        Project.objects.filter(state__in=ACTIVE_STATES, pm__isnull=False)
        .exclude(pk__in=reported)
        .select_related("pm", "region")
        .order_by("region_id", "code")
    )


WEEKLY_REMINDER_JOB = "weekly_report_reminder"


def weekly_report_reminders(*, today: date | None = None) -> int:
    """Monday: remind each PM whose active project has no report for this week yet. Each
    reminder is recorded for its week (notify_once), so running the job again the same week
    (a redelivered task, a manual run, a second beat) reminds nobody twice. Returns how many
    reminders this run sent."""
    today = today or timezone.localdate()
    week_start = week_of(today)
    count = 0
    with transaction.atomic():
        for project in projects_missing_report(week_start):
            count += len(
                notify_once(
                    job=WEEKLY_REMINDER_JOB,
                    period=week_start.isoformat(),
                    recipients=[project.pm],
                    title=f"请填写本周项目周报：{project.name}",
                    body=f"{week_start:%Y-%m-%d} 这一周的周报尚未填写（上周工作、本周计划、需协调事项）。",
                    link=tab_url(project, "weekly"),
                    subject=project,
                    kind="weekly_reminder",
                )
            )
    return count


@transaction.atomic
def news_post(*, title: str, body: str = "", project: Project | None = None, actor=None) -> NewsItem:
    return NewsItem.objects.create(project=project, title=title, body=body, author=actor)
