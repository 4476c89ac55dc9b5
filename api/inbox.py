"""Acting on an inbox item through the API: the same services the decision pages call. A step
the API does not decide (one with its own form: an estimate, a handover audit, a ticket) says
so and where to do it, rather than guessing."""

from django.core.exceptions import PermissionDenied

from aftersales.models import Handover
from aftersales.services import handover_cs_head_decide
from approvals.decisions import decided_message
from approvals.errors import AlreadyDecided, DomainError
from approvals.models import Task
from approvals.selectors import task_can_act
from projects.models import ProductRequest
from projects.services import product_request_decide
from registrations.models import Registration
from registrations.services import registration_decide

REGISTRATION_STEPS = {"registration.sales_manager", "registration.special", "registration.business"}
PRODUCT_STEPS = {"product_request.pm", "product_request.business"}
HANDOVER_STEPS = {"handover.cs_head"}


def actions_for(task: Task) -> list[str]:
    if task.step in REGISTRATION_STEPS:
        return ["approve", "return", "reject"]
    if task.step in PRODUCT_STEPS | HANDOVER_STEPS:
        return ["approve", "return"]
    return []


def task_version(task: Task) -> str:
    """What the caller saw: the task and the state of its record. A changed record or a closed
    task makes the call stale (409), as a page opened earlier does."""
    subject = task.subject
    return f"{task.pk}:{task.state}:{getattr(subject, 'state', '')}"


def task_act(*, task: Task, actor, decision: str, comment: str, version: str, review: dict | None = None):
    """Decide one inbox item. Raises AlreadyDecided (stale), PermissionDenied, DomainError."""
    subject = task.subject
    if version != task_version(task):
        raise AlreadyDecided(decided_message(subject) if subject is not None else "该待办已被处理")
    if task.state != Task.State.OPEN:
        raise AlreadyDecided(decided_message(subject))
    if not task_can_act(actor, task):
        raise PermissionDenied("您无权处理该待办")
    allowed = actions_for(task)
    if not allowed:
        raise DomainError(f"“{task.step_label}”需在页面上办理：{task.link}")
    if decision not in allowed:
        raise DomainError(f"“{task.step_label}”不支持该审批结果")
    if isinstance(subject, Registration):
        return registration_decide(
            registration=subject, actor=actor, decision=decision, comment=comment, review=review or {}
        )
    if isinstance(subject, ProductRequest):
        return product_request_decide(request=subject, actor=actor, approve=decision == "approve", comment=comment)
    if isinstance(subject, Handover):
        return handover_cs_head_decide(handover=subject, actor=actor, approve=decision == "approve", comment=comment)
    raise DomainError(f"“{task.step_label}”需在页面上办理：{task.link}")
