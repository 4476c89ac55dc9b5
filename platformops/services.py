"""Cloud deployments (云端部署申请, 000 §3.8): the project's PM (or its regional PM / the director)
asks → the region's 特批领导 approves → the 平台运维部 manager approves → 平台运维部 executes and
records servers, versions and dates. Nothing is executed without both approvals."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from approvals.errors import AlreadyDecided, DomainError
from approvals.selectors import open_tasks_for, task_can_act
from approvals.services import next_number, task_close, task_open
from pmis.audit.services import audit_record
from pmis.notify.services import notify
from pmis.org.selectors import user_role_codes
from projects.models import Project
from projects.selectors import project_can_view
from projects.services import can_manage

from .models import CloudDeployment

SPECIAL_STEP = "deployment.special"
MANAGER_STEP = "deployment.manager"
EXECUTE_STEP = "deployment.execute"
STEPS = (SPECIAL_STEP, MANAGER_STEP, EXECUTE_STEP)  # the department's figures
STEP_OF_STATE = {
    CloudDeployment.State.PENDING_SPECIAL: SPECIAL_STEP,
    CloudDeployment.State.PENDING_MANAGER: MANAGER_STEP,
    CloudDeployment.State.PENDING_EXECUTION: EXECUTE_STEP,
}
OPS_ROLES = frozenset({"platform_ops", "platform_manager"})


def _locked(deployment: CloudDeployment) -> CloudDeployment:
    return CloudDeployment.objects.select_for_update(of=("self",)).select_related("project").get(pk=deployment.pk)


def _open_step(deployment: CloudDeployment) -> None:
    project = deployment.project
    common = {
        "subject": deployment,
        "title": f"{deployment.number} {project.name}（{deployment.get_kind_display()}）",
        "link": deployment.get_absolute_url(),
        "exclude_user": deployment.requested_by,
    }
    if deployment.state == CloudDeployment.State.PENDING_SPECIAL:
        task_open(
            step=SPECIAL_STEP,
            step_label="特批云端部署",
            group="special_approver",
            region=project.region,
            route_region=project.region,
            **common,
        )
    elif deployment.state == CloudDeployment.State.PENDING_MANAGER:
        task_open(step=MANAGER_STEP, step_label="平台运维部经理审批云端部署", group="platform_manager", **common)
    elif deployment.state == CloudDeployment.State.PENDING_EXECUTION:
        task_open(
            step=EXECUTE_STEP,
            step_label="执行云端部署",
            group="platform_ops",
            policy="deployment-execution",
            **common,
        )


def can_request(user, project: Project) -> bool:
    return user.is_superuser or can_manage(user, project) or "project_director" in user_role_codes(user)


@transaction.atomic
def deployment_request(*, project: Project, actor, kind: str, reason: str) -> CloudDeployment:
    if not can_request(actor, project):
        raise PermissionDenied("只有项目经理、区域项目经理或项目总监可以申请云端部署")
    if kind not in CloudDeployment.Kind.values:
        raise DomainError("请选择申请类型")
    if not reason.strip():
        raise DomainError("请填写特殊原因与需求")
    deployment = CloudDeployment.objects.create(
        number=next_number("YB"), project=project, kind=kind, reason=reason.strip(), requested_by=actor
    )
    audit_record(
        subject=deployment,
        action="deployment.request",
        label="提交云端部署申请",
        actor=actor,
        to_state=deployment.state,
    )
    _open_step(deployment)
    return deployment


def _step(deployment: CloudDeployment, actor, refusal: str):
    step = STEP_OF_STATE[deployment.state]
    task = open_tasks_for(deployment).filter(step=step).first()
    if task is None:
        raise AlreadyDecided("该申请已被他人处理，请刷新页面")
    if not task_can_act(actor, task):
        raise PermissionDenied(refusal)
    return task


@transaction.atomic
def deployment_decide(*, deployment: CloudDeployment, actor, approve: bool, comment: str = "") -> CloudDeployment:
    """The step the deployment waits on decides: the region's 特批领导 first, then the 平台运维部
    manager. A rejection needs a reason and ends the request."""
    deployment = _locked(deployment)
    if deployment.state not in (CloudDeployment.State.PENDING_SPECIAL, CloudDeployment.State.PENDING_MANAGER):
        raise AlreadyDecided(f"该申请当前为“{deployment.get_state_display()}”，请刷新页面")
    special = deployment.state == CloudDeployment.State.PENDING_SPECIAL
    who = "本区域特批领导" if special else "平台运维部经理"
    task = _step(deployment, actor, f"该环节只能由{who}审批")
    comment = comment.strip()
    from_state = deployment.state
    now = timezone.now()
    if approve:
        task_close(task=task, actor=actor, outcome="approve")
        if special:
            deployment.approve_special(by=actor, at=now)
        else:
            deployment.approve_manager(by=actor, at=now)
    else:
        if not comment:
            raise DomainError("驳回必须填写原因")
        task_close(task=task, actor=actor, outcome="reject")
        deployment.reject(reason=comment)
    deployment.save()
    audit_record(
        subject=deployment,
        action="deployment.special" if special else "deployment.manager",
        label=f"{who}{'同意' if approve else '驳回'}",
        actor=actor,
        from_state=from_state,
        to_state=deployment.state,
        comment=comment,
    )
    if approve:
        _open_step(deployment)
    else:
        notify(
            recipients=[deployment.requested_by],
            title=f"云端部署申请被驳回：{deployment.number}",
            body=comment,
            link=deployment.get_absolute_url(),
            subject=deployment,
            kind="deployment_rejected",
        )
    return deployment


@transaction.atomic
def deployment_execute(
    *,
    deployment: CloudDeployment,
    actor,
    servers: str,
    versions: str,
    started_on: date,
    finished_on: date,
    note: str = "",
) -> CloudDeployment:
    """平台运维部 executes an approved request and records the servers, versions and dates."""
    deployment = _locked(deployment)
    if deployment.state in (CloudDeployment.State.PENDING_SPECIAL, CloudDeployment.State.PENDING_MANAGER):
        raise DomainError(f"该申请{deployment.get_state_display()}：须经特批领导与平台运维部经理审批后才能执行")
    if deployment.state != CloudDeployment.State.PENDING_EXECUTION:
        raise AlreadyDecided(f"该申请当前为“{deployment.get_state_display()}”，不能执行")
    task = _step(deployment, actor, "只有平台运维部可以执行云端部署")
    if not servers.strip():
        raise DomainError("请填写服务器")
    if not versions.strip():
        raise DomainError("请填写部署版本")
    if started_on is None or finished_on is None:
        raise DomainError("请填写开始日期和完成日期")
    if finished_on < started_on:
        raise DomainError("完成日期不能早于开始日期")
    if finished_on > timezone.localdate():
        raise DomainError("完成日期不能晚于今天")
    task_close(task=task, actor=actor, outcome="finish")
    deployment.execute(
        by=actor,
        at=timezone.now(),
        servers=servers.strip(),
        versions=versions.strip(),
        started_on=started_on,
        finished_on=finished_on,
        note=note.strip(),
    )
    deployment.save()
    audit_record(
        subject=deployment,
        action="deployment.execute",
        label="平台运维部执行完成",
        actor=actor,
        from_state=CloudDeployment.State.PENDING_EXECUTION,
        to_state=deployment.state,
        comment=note,
        details={"servers": servers.strip(), "versions": versions.strip()},
    )
    notify(
        recipients=[deployment.requested_by, *([deployment.project.pm] if deployment.project.pm else [])],
        title=f"云端部署已完成：{deployment.project.name}",
        body=f"服务器：{servers}\n版本：{versions}",
        link=deployment.get_absolute_url(),
        subject=deployment,
        kind="deployment_done",
    )
    return deployment


def deployment_can_view(user, deployment: CloudDeployment) -> bool:
    if not user.is_authenticated:
        return False
    roles = user_role_codes(user)
    if user.is_superuser or roles & OPS_ROLES or deployment.requested_by_id == user.pk:
        return True
    if open_tasks_for(deployment).exists() and any(task_can_act(user, t) for t in open_tasks_for(deployment)):
        return True
    if deployment.tasks.filter(closed_by=user).exists():
        return True
    return project_can_view(user, deployment.project)
