"""The decisions the inbox can make for a step without opening its page: approve (通过) and
return (退回), each through the deciding service of the step's own process. Each process
registers its decision steps here from its AppConfig.ready(); bulk approval (批量审批) and the
one-click links in mail and IM use this one table, so a new process gets them by registering.

A step not registered here (one that needs a checklist, a file, a choice of people) is answered
on its own page only."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models

from .errors import AlreadyDecided, DomainError
from .models import Task

# (record, actor, comment) -> None; the service locks, checks, transitions and audits
Decide = Callable[[models.Model, object, str], object]


@dataclass(frozen=True)
class StepDecision:
    approve: Decide
    send_back: Decide
    # 退回到指定环节: (record, actor, step code, reason); None where the process has no such return
    return_to: Callable[[models.Model, object, str, str], object] | None = None


DECISIONS: dict[str, StepDecision] = {}


def register_decision(step: str, *, approve: Decide, send_back: Decide, return_to=None) -> None:
    DECISIONS[step] = StepDecision(approve=approve, send_back=send_back, return_to=return_to)


def task_return_to(*, task: Task, actor, step_code: str, comment: str) -> None:
    """退回到指定环节 through the step's own service, or — for a step of any chain bound to its
    records (approvals.chains.chain_record) — through the one machinery of the chains."""
    from .chains import chain_of_record, chain_return_to

    task.refresh_from_db()
    if task.state != Task.State.OPEN:
        raise AlreadyDecided(stale_message(task))
    decision = DECISIONS.get(task.step)
    if decision is not None and decision.return_to is not None:
        decision.return_to(task.subject, actor, step_code, comment)
        return
    record = task.subject
    chain = chain_of_record(record)
    if chain is None or chain.step(task.step) is None:
        raise DomainError(f"“{task.step_label}”不支持退回到指定环节")
    chain_return_to(record=record, actor=actor, step_code=step_code, comment=comment)


def can_decide_here(task: Task) -> bool:
    return task.step in DECISIONS


def stale_message(task: Task) -> str:
    """“已由 X 于 … 处理” for a step that is no longer waiting."""
    from django.utils import timezone

    if task.state == Task.State.OPEN:
        return ""
    when = f" 于 {timezone.localtime(task.closed_at):%Y-%m-%d %H:%M}" if task.closed_at else ""
    return f"该环节已由 {task.closed_by_label}{when} 处理（{task.outcome_label or '已处理'}），无需重复操作"


def task_decide(*, task: Task, actor, outcome: str, comment: str = "") -> None:
    """Answer one step through its process's service. Raises the service's own refusal."""
    from .selectors import task_can_act

    task.refresh_from_db()
    if task.state != Task.State.OPEN:
        raise AlreadyDecided(stale_message(task))
    decision = DECISIONS.get(task.step)
    if decision is None:
        raise DomainError(f"“{task.step_label}”需在记录页面办理")
    if not task_can_act(actor, task):
        raise PermissionDenied("您无权处理该环节")
    comment = (comment or "").strip()
    if outcome == "approve":
        decision.approve(task.subject, actor, comment)
    elif outcome == "return":
        if not comment:
            raise DomainError("退回必须填写原因")
        decision.send_back(task.subject, actor, comment)
    else:
        raise DomainError("未知的处理结果")


@dataclass
class BulkRow:
    task: Task
    done: bool
    message: str


def tasks_bulk_approve(*, task_ids: list[int], actor, comment: str = "") -> list[BulkRow]:
    """批量审批: approve several steps with one comment. Each goes through its own service in its
    own transaction — checked, locked and audited on its own — and one refusal stops no other."""
    tasks = {t.pk: t for t in Task.objects.filter(pk__in=task_ids).select_related("closed_by", "on_behalf_of")}
    rows = []
    for pk in dict.fromkeys(task_ids):
        task = tasks.get(pk)
        if task is None:
            continue
        try:
            task_decide(task=task, actor=actor, outcome="approve", comment=comment)
        except (DomainError, PermissionDenied) as exc:
            task.refresh_from_db()
            rows.append(BulkRow(task, False, stale_message(task) or str(exc)))
        else:
            rows.append(BulkRow(task, True, "已通过"))
    return rows
