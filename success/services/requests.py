"""客户服务申请 (000 §3.6.1–3.6.2): customer-success staff file a request of a type for a customer;
the type's group (运营客服组 or 售后支持组) takes it and records the result within the type's
deadline. A finished renewal moves its licence's expiry."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from approvals.errors import AlreadyDecided, DomainError
from approvals.services import next_number, task_close, task_open, tasks_cancel_for
from pmis.audit.services import audit_record
from pmis.notify.services import notify
from projects.models import Project

from ..models import Licence, ServiceRequest, Team
from ..service_types import SERVICE_TYPES, clean_details
from .common import is_cs, roles_of, step_task

WORK_STEP = "service_request.work"


def _locked(request: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update(of=("self",)).get(pk=request.pk)


def _open_work(request: ServiceRequest) -> None:
    spec = SERVICE_TYPES[request.type]
    task = task_open(
        subject=request,
        step=WORK_STEP,
        step_label=f"客户服务 · {spec.label}",
        title=f"{request.number} {request.customer_name}",
        link=request.get_absolute_url(),
        group=request.team,
        policy=spec.policy,
    )
    request.due_at = task.due_at
    request.save(update_fields=["due_at"])


def _create(
    *,
    type: str,
    customer_name: str,
    details: dict,
    actor,
    project=None,
    licence=None,
    team="",
    auto_for_expiry: date | None = None,
) -> ServiceRequest:
    spec = SERVICE_TYPES[type]
    if team and team not in Team.values:
        raise DomainError("请选择办理部门")
    request = ServiceRequest.objects.create(
        number=next_number("FW"),
        type=type,
        team=team or spec.team,
        customer_name=customer_name,
        project=project,
        licence=licence,
        details=details,
        filed_by=actor,
        auto_for_expiry=auto_for_expiry,
    )
    audit_record(
        subject=request,
        action="service_request.file",
        label=f"提交{spec.label}申请",
        actor=actor,
        to_state=request.state,
    )
    _open_work(request)
    return request


@transaction.atomic
def service_request_file(
    *,
    actor,
    type: str,
    customer_name: str,
    data,
    project: Project | None = None,
    licence: Licence | None = None,
    team: str = "",
) -> ServiceRequest:
    """Customer-success staff file a request for a customer; its fields are checked by its type's
    form. 授权文件续期 may be worked by either group (000 §3.6.1 and §3.6.2); the others by theirs."""
    if not is_cs(actor):
        raise PermissionDenied("只有客户成功部人员可以提交客户服务申请")
    if not customer_name.strip():
        raise DomainError("请填写客户名称")
    details = clean_details(type, data)
    if team and team != SERVICE_TYPES[type].team and type not in (ServiceRequest.Type.LICENCE_RENEWAL, "other"):
        raise DomainError(f"{SERVICE_TYPES[type].label}由{Team(SERVICE_TYPES[type].team).label}办理")
    return _create(
        type=type,
        customer_name=customer_name.strip(),
        details=details,
        actor=actor,
        project=project,
        licence=licence,
        team=team,
    )


def renewal_open_for(*, licence: Licence) -> tuple[ServiceRequest, bool]:
    """The automatic 授权文件续期 request of a licence's current expiry: opened once, whoever asks
    again gets the same one. Called by the reminder job inside its transaction, the licence locked."""
    existing = ServiceRequest.objects.filter(licence=licence, auto_for_expiry=licence.expires_on).first()
    if existing is not None:
        return existing, False
    team = Team.SUPPORT if licence.project_id and licence.project.kind == Project.Kind.SAAS else Team.OPS
    details = {"product": licence.product.name, "new_expires_on": ""}
    request = _create(
        type=ServiceRequest.Type.LICENCE_RENEWAL,
        customer_name=licence.customer_name,
        details=details,
        actor=None,
        project=licence.project,
        licence=licence,
        team=team,
        auto_for_expiry=licence.expires_on,
    )
    return request, True


@transaction.atomic
def service_request_start(*, request: ServiceRequest, actor) -> ServiceRequest:
    request = _locked(request)
    if request.state != ServiceRequest.State.PENDING:
        raise AlreadyDecided(f"该申请当前为“{request.get_state_display()}”，请刷新页面")
    task = step_task(request, WORK_STEP, actor, refusal=f"只有{request.get_team_display()}可以受理该申请")
    if task.claimed_by_id is None:
        from approvals.services import task_claim

        task_claim(task=task, actor=actor)
    request.start(by=actor)
    request.save(update_fields=["state", "handler"])
    audit_record(
        subject=request,
        action="service_request.start",
        label="受理申请",
        actor=actor,
        from_state=ServiceRequest.State.PENDING,
        to_state=request.state,
    )
    return request


@transaction.atomic
def service_request_finish(
    *, request: ServiceRequest, actor, result: str, new_expires_on: date | None = None
) -> ServiceRequest:
    """Record the result. A renewal names the new expiry date, which moves its licence's expiry
    (and so re-arms the reminders for the new date)."""
    request = _locked(request)
    if request.state not in (ServiceRequest.State.PENDING, ServiceRequest.State.IN_PROGRESS):
        raise AlreadyDecided(f"该申请当前为“{request.get_state_display()}”，请刷新页面")
    task = step_task(request, WORK_STEP, actor, refusal=f"只有{request.get_team_display()}可以办理该申请")
    if not result.strip():
        raise DomainError("请填写办理结果")
    if request.type == ServiceRequest.Type.LICENCE_RENEWAL:
        if new_expires_on is None:
            raise DomainError("请填写续期后到期日")
        if new_expires_on <= timezone.localdate():
            raise DomainError("续期后到期日须晚于今天")
        request.details = {**request.details, "new_expires_on": new_expires_on.isoformat()}
    from_state = request.state
    task_close(task=task, actor=actor, outcome="done")
    request.finish(by=actor, result=result.strip(), at=timezone.now())
    request.save(update_fields=["state", "handler", "result", "done_at", "details"])
    audit_record(
        subject=request,
        action="service_request.finish",
        label="办结申请",
        actor=actor,
        from_state=from_state,
        to_state=request.state,
        comment=result,
    )
    if request.type == ServiceRequest.Type.LICENCE_RENEWAL and request.licence_id:
        licence = Licence.objects.select_for_update().get(pk=request.licence_id)
        old = licence.expires_on
        if new_expires_on > old:
            licence.expires_on = new_expires_on
            licence.save(update_fields=["expires_on"])
            audit_record(
                subject=licence,
                action="licence.renew",
                label="授权已续期",
                actor=actor,
                details={"from": old.isoformat(), "to": new_expires_on.isoformat(), "request": request.pk},
            )
    if request.filed_by_id:
        notify(
            recipients=[request.filed_by],
            title=f"客户服务已办结：{request.number}",
            body=result,
            link=request.get_absolute_url(),
            subject=request,
            kind="service_request_done",
        )
    return request


@transaction.atomic
def service_request_cancel(*, request: ServiceRequest, actor, reason: str) -> ServiceRequest:
    request = _locked(request)
    if request.state not in (ServiceRequest.State.PENDING, ServiceRequest.State.IN_PROGRESS):
        raise AlreadyDecided(f"该申请当前为“{request.get_state_display()}”，不能取消")
    if not (actor.is_superuser or request.filed_by_id == actor.pk or request.team in roles_of(actor)):
        raise PermissionDenied("只有申请人或办理部门可以取消申请")
    if not reason.strip():
        raise DomainError("取消必须填写原因")
    from_state = request.state
    tasks_cancel_for(subject=request, actor=actor)
    request.cancel(reason=reason.strip(), at=timezone.now())
    request.save(update_fields=["state", "result", "done_at"])
    audit_record(
        subject=request,
        action="service_request.cancel",
        label="取消申请",
        actor=actor,
        from_state=from_state,
        to_state=request.state,
        comment=reason,
    )
    return request


def service_request_can_view(user, request: ServiceRequest) -> bool:
    if not user.is_authenticated:
        return False
    if is_cs(user) or request.filed_by_id == user.pk:
        return True
    if request.project_id is not None:
        from projects.selectors import project_can_view

        return project_can_view(user, request.project)
    return False
