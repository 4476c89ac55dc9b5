"""加签: the person a step waits on asks someone else to approve it too — before him (前加签: his
own task waits until the added signer has approved), after him (后加签: the added signer's task
waits for his), or beside him (并加签: both, in any order). The step moves on only when every task
it has is done (approvals.chains.chain_step_pending), so this works for the approval steps of
every declared chain whose service opens and answers them through approvals.chains
(registrations, product requests, handovers, …)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from pmis.audit.services import audit_record
from pmis.org.models import User

from .chains import CHAINS
from .errors import DomainError
from .models import Task
from .services import task_open

POSITIONS = {
    "before": "前加签（先由其审批，再由我审批）",
    "after": "后加签（我审批后再由其审批）",
    "beside": "并加签（与我同时审批）",
}


def add_sign_steps() -> set[str]:
    return {s.code for c in CHAINS.values() if c.drives_tasks for s in c.steps if s.approval}


def task_can_add_signer(user, task: Task) -> bool:
    from .selectors import task_can_act

    return task.step in add_sign_steps() and task_can_act(user, task)


@transaction.atomic
def task_add_signer(*, task: Task, actor: User, signer: User, position: str, reason: str) -> Task:
    from .services import _locked

    reason = (reason or "").strip()
    if not reason:
        raise DomainError("加签必须填写原因")
    if position not in POSITIONS:
        raise DomainError("请选择加签方式")
    task = _locked(task)
    if task.state != Task.State.OPEN:
        raise DomainError("该环节已处理，不能加签")
    if not task_can_add_signer(actor, task):
        raise PermissionDenied("您无权对该环节加签")
    if signer.pk in (actor.pk, task.exclude_user_id) or not signer.is_active:
        raise DomainError("加签人不能是本人、申请人或已停用的账号")
    added = task_open(
        subject=task.subject,
        step=task.step,
        step_label=f"{task.step_label}（加签）",
        title=task.title,
        link=task.link,
        assignee=signer,
        exclude_user=task.exclude_user,
        policy=task.policy,
    )
    if position == "before":
        task.waits_for = added
        task.save(update_fields=["waits_for"])
    elif position == "after":
        added.waits_for = task
        added.save(update_fields=["waits_for"])
    audit_record(
        subject=task.subject,
        action="task.add_signer",
        label=f"加签：{signer}（{POSITIONS[position].split('（')[0]}）",
        actor=actor,
        comment=reason,
        details={"task": task.pk, "added": added.pk, "signer": signer.pk, "position": position},
    )
    return added
