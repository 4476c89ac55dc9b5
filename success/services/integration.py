"""SaaS 实施集成申请 (000 §3.6.2): for a SaaS customer's order approved by 商务, 售后支持组 confirms
the need and decides whether integration is needed; if so it files a 实施集成申请 to 项目实施部
(the project director, or the project's regional PM), which opens the integration as a 系统集成
delivery task on the project. When that task is done the request is complete and the project is
handed back to 售后支持组 through the handover flow (aftersales.services.handover)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from approvals.errors import AlreadyDecided, DomainError
from approvals.services import task_close, task_open
from pmis.audit.services import audit_record
from pmis.notify.services import notify
from projects.models import DeliveryTask, Project
from projects.models import State as ProjectState
from projects.services import can_manage, delivery_task_assign

from ..models import CloudOrder, IntegrationRequest
from .common import step_task
from .orders import CONFIRM_STEP, _locked, _open_step

PMO_STEP = "integration.pmo"
HANDBACK_STEP = "integration.handback"
# a project already submitted for handover, or handed over, has nothing to hand back
HANDED_OVER_STATES = (ProjectState.HANDOVER, ProjectState.MAINTENANCE, ProjectState.CLOSED)


@transaction.atomic
def cloud_order_confirm(*, order: CloudOrder, actor, integration_needed: bool, need: str = "") -> CloudOrder:
    """售后支持组 confirms a SaaS order's need. When integration is needed it files the 实施集成申请
    on the order's project; either way the service then waits to be opened by 售后支持组."""
    order = _locked(order)
    if order.state != CloudOrder.State.PENDING_CONFIRM:
        if order.state == CloudOrder.State.PENDING_BUSINESS:
            raise DomainError("商务管理部尚未审核通过，不能确认需求")
        raise AlreadyDecided(f"该申请当前为“{order.get_state_display()}”，请刷新页面")
    task = step_task(order, CONFIRM_STEP, actor, refusal="只有售后支持组可以确认 SaaS 需求")
    need = need.strip()
    if integration_needed:
        if order.project is None:
            raise DomainError("需要集成的申请须关联项目，请由申请人关联项目后再确认")
        if not need:
            raise DomainError("请填写集成需求")
    task_close(task=task, actor=actor, outcome="confirmed")
    order.confirm_need()
    order.save(update_fields=["state"])
    audit_record(
        subject=order,
        action="cloud_order.confirm",
        label="售后支持组确认需求" + ("（需集成）" if integration_needed else "（无需集成）"),
        actor=actor,
        from_state=CloudOrder.State.PENDING_CONFIRM,
        to_state=order.state,
        comment=need,
    )
    if integration_needed:
        request = IntegrationRequest.objects.create(order=order, project=order.project, need=need, filed_by=actor)
        audit_record(
            subject=request, action="integration.file", label="提交实施集成申请", actor=actor, to_state=request.state
        )
        project = order.project
        task_open(
            subject=request,
            step=PMO_STEP,
            step_label="受理实施集成申请",
            title=f"{project.code} {project.name}",
            link=order.get_absolute_url(),
            group="project_director",
            exclude_user=actor,
        )
    _open_step(order)
    return order


def _locked_request(request: IntegrationRequest) -> IntegrationRequest:
    return (
        IntegrationRequest.objects.select_for_update(of=("self",))
        .select_related("project", "order", "delivery_task")
        .get(pk=request.pk)
    )


def _can_run(actor, project: Project) -> bool:
    from pmis.org.selectors import user_role_codes

    return actor.is_superuser or "project_director" in user_role_codes(actor) or can_manage(actor, project)


@transaction.atomic
def integration_accept(
    *, request: IntegrationRequest, actor, assignee, title: str = "", due_date=None, comment: str = ""
) -> IntegrationRequest:
    """项目实施部 accepts: a 系统集成 task is assigned on the project (the delivery rules apply)."""
    request = _locked_request(request)
    if request.state != IntegrationRequest.State.PENDING_PMO:
        raise AlreadyDecided(f"该申请当前为“{request.get_state_display()}”，请刷新页面")
    if not _can_run(actor, request.project):
        raise PermissionDenied("只有项目总监或本项目的区域项目经理可以受理实施集成申请")
    task = _pmo_task(request, actor)
    delivery = delivery_task_assign(
        project=request.project,
        actor=actor,
        type=DeliveryTask.Type.INTEGRATION,
        title=title.strip() or f"SaaS 集成：{request.order.customer_name}",
        assignee=assignee,
        description=request.need,
        due_date=due_date,
    )
    task_close(task=task, actor=actor, outcome="accepted")
    request.accept(delivery_task=delivery, comment=comment.strip())
    request.save(update_fields=["state", "delivery_task", "comment"])
    audit_record(
        subject=request,
        action="integration.accept",
        label="项目实施部受理集成",
        actor=actor,
        from_state=IntegrationRequest.State.PENDING_PMO,
        to_state=request.state,
        comment=comment,
    )
    return request


def _pmo_task(request: IntegrationRequest, actor):
    from approvals.selectors import open_tasks_for

    task = open_tasks_for(request).filter(step=PMO_STEP).first()
    if task is None:
        raise AlreadyDecided("该申请已被他人处理，请刷新页面")
    return task


@transaction.atomic
def integration_decline(*, request: IntegrationRequest, actor, comment: str) -> IntegrationRequest:
    request = _locked_request(request)
    if request.state != IntegrationRequest.State.PENDING_PMO:
        raise AlreadyDecided(f"该申请当前为“{request.get_state_display()}”，请刷新页面")
    if not _can_run(actor, request.project):
        raise PermissionDenied("只有项目总监或本项目的区域项目经理可以处理实施集成申请")
    if not comment.strip():
        raise DomainError("退回必须填写原因")
    task_close(task=_pmo_task(request, actor), actor=actor, outcome="return")
    request.decline(comment=comment.strip())
    request.save(update_fields=["state", "comment"])
    audit_record(
        subject=request,
        action="integration.decline",
        label="项目实施部退回集成申请",
        actor=actor,
        from_state=IntegrationRequest.State.PENDING_PMO,
        to_state=request.state,
        comment=comment,
    )
    notify(
        recipients=[request.filed_by],
        title=f"实施集成申请被退回：{request.project.name}",
        body=comment,
        link=request.get_absolute_url(),
        subject=request,
        kind="integration_declined",
    )
    return request


@transaction.atomic
def integration_complete(*, request: IntegrationRequest, actor) -> IntegrationRequest:
    """Once the integration task is done: the request is complete and the project's PM is asked to
    hand the project back to 售后支持组 through the handover flow: a step waiting on the PM
    (交回售后支持组), closed when the handover is submitted."""
    request = _locked_request(request)
    if request.state != IntegrationRequest.State.INTEGRATING:
        raise AlreadyDecided(f"该申请当前为“{request.get_state_display()}”")
    if not _can_run(actor, request.project):
        raise PermissionDenied("只有项目总监或本项目的区域项目经理可以确认集成完成")
    if request.delivery_task.state != DeliveryTask.State.DONE:
        raise DomainError(
            f"集成任务“{request.delivery_task.title}”尚未完成（{request.delivery_task.get_state_display()}）"
        )
    request.complete(at=timezone.now())
    request.save(update_fields=["state", "integrated_at"])
    audit_record(
        subject=request,
        action="integration.complete",
        label="集成完成",
        actor=actor,
        from_state=IntegrationRequest.State.INTEGRATING,
        to_state=request.state,
    )
    project = request.project
    handing_back = project.state not in HANDED_OVER_STATES
    notify(
        recipients=[request.filed_by],
        title=f"集成已完成：{project.name}",
        body="项目经理将通过项目移交流程把项目交回售后支持组（客户成功部）。"
        if handing_back
        else f"项目{project.get_state_display()}，已在移交流程中或已移交。",
        link=request.get_absolute_url(),
        subject=request,
        kind="integration_done",
    )
    if handing_back:
        # the PM hands the project back; handover_submit closes this step (integration_handed_back)
        task_open(
            subject=request,
            step=HANDBACK_STEP,
            step_label="交回售后支持组",
            title=f"{project.code} {project.name}",
            link=reverse("aftersales:handover_new", args=[project.pk]),
            **({"assignee": project.pm} if project.pm_id else {"group": "regional_pm", "region": project.region}),
            policy=None,
        )
    return request


def integration_handed_back(*, project: Project, handover, actor) -> int:
    """The project's handover was submitted: every integration waiting to be handed back is. Called
    inside handover_submit's transaction; the number of steps closed."""
    from approvals.models import Task

    tasks = Task.objects.select_for_update(of=("self",)).filter(
        integration_request__project=project, step=HANDBACK_STEP, state=Task.State.OPEN
    )
    closed = 0
    for task in tasks.select_related("content_type"):
        task_close(task=task, actor=actor, outcome="filed")
        audit_record(
            subject=task.subject,
            action="integration.hand_back",
            label="已提交移交，交回售后支持组",
            actor=actor,
            details={"handover": handover.pk},
        )
        closed += 1
    return closed


def integration_handover_state(request: IntegrationRequest) -> str:
    """Where the hand-back stands: the project's latest handover, as people read it."""
    handover = request.project.handovers.order_by("-submitted_at", "-id").first()
    if handover is None or handover.submitted_at < (request.integrated_at or timezone.now()):
        return "尚未提交移交"
    return handover.get_state_display()
