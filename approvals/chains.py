"""The approval chains, declared in one place a person can read.

Each chain lists its steps in order: the code of the step (the Task.step its tasks carry), its
label, the role it waits on and that role's scope (the requester's team, the record's region, or
everyone in the role), whether every member must approve (会签) or any one (或签), the deadline
policy, and the record state in which the step waits. An administrator changes who a step waits
on, 会签 / 或签, the deadline and whom it copies in the admin (审批环节设置, ChainStepSetting); the
declaration gives the defaults. The state machines stay: a process's service moves its record
and asks `chain_open` to open the step of the state it entered; `chain_task_for` and
`chain_step_pending` make a step wait for every task it opened (会签, 加签).

000 §3.1–3.2 实施登记审批 (chain "registration", drives the registration's tasks):
  1 销售主管审批   sales_manager      本团队   或签  approval-step   待销售主管审批 (特批 and upgrades)
  2 特批领导审批   special_approver   本区域   或签  approval-step   待特批领导审批 (特批 only)
  3 商务审批       business_approver  全部     或签  approval-step   待商务审批
000 §3.3.4–3.3.5 产品领取单 (chain "product_request", shown as its 流程图; its service opens the steps):
  1 区域项目经理审核 regional_pm 本区域 · 2 商务审核 business_approver · 3 产品发放 product_dept · 4 确认领取
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import models

from pmis.org.models import Department, Region, User
from pmis.org.selectors import users_in_role
from pmis.worktime.models import SlaPolicy

from .errors import AlreadyDecided
from .models import ChainStepSetting, Task
from .services import task_open

TEAM, REGION, EVERYONE = "team", "region", ""


@dataclass(frozen=True)
class ChainStep:
    code: str
    label: str
    role: str
    scope: str = EVERYONE
    mode: str = ChainStepSetting.Mode.ANY
    policy: str = "approval-step"
    state: str = ""


@dataclass(frozen=True)
class Chain:
    code: str
    label: str
    source: str
    steps: tuple[ChainStep, ...]
    drives_tasks: bool = False  # its service opens its steps through chain_open

    def step(self, code: str) -> ChainStep | None:
        return next((s for s in self.steps if s.code == code), None)

    def index(self, code: str) -> int:
        return next((i for i, s in enumerate(self.steps) if s.code == code), -1)


CHAINS: dict[str, Chain] = {
    "registration": Chain(
        "registration",
        "实施登记审批",
        "000 §3.1–3.2",
        (
            ChainStep(
                "registration.sales_manager", "销售主管审批", "sales_manager", TEAM, state="pending_sales_manager"
            ),
            ChainStep("registration.special", "特批领导审批", "special_approver", REGION, state="pending_special"),
            ChainStep("registration.business", "商务审批", "business_approver", state="pending_business"),
        ),
        drives_tasks=True,
    ),
    "product_request": Chain(
        "product_request",
        "产品领取单",
        "000 §3.3.4–3.3.5",
        (
            ChainStep("product_request.pm", "区域项目经理审核", "regional_pm", REGION, state="pending_pm"),
            ChainStep("product_request.business", "商务审核", "business_approver", state="pending_business"),
            ChainStep("product_request.product", "产品发放", "product_dept", state="pending_product"),
            ChainStep("product_request.receive", "确认领取", "implementer", state="issued"),
        ),
    ),
}


def chain_of(step_code: str) -> Chain | None:
    return next((c for c in CHAINS.values() if c.step(step_code) is not None), None)


def step_setting(code: str) -> ChainStepSetting:
    """The administrator's setting of a declared step, created from the declaration the first
    time it is asked for."""
    chain = chain_of(code)
    if chain is None:
        raise KeyError(code)
    step = chain.step(code)
    setting = ChainStepSetting.objects.select_related("role", "policy").filter(code=code).first()
    if setting is None:
        setting, _ = ChainStepSetting.objects.get_or_create(
            code=code,
            defaults={
                "label": step.label,
                "role": Group.objects.get(name=step.role),
                "mode": step.mode,
                "policy": SlaPolicy.objects.filter(code=step.policy).first(),
            },
        )
    return setting


def chains_seed() -> int:
    """Create the settings rows of every declared step (an edited row keeps its values)."""
    before = ChainStepSetting.objects.count()
    for chain in CHAINS.values():
        for step in chain.steps:
            if Group.objects.filter(name=step.role).exists():
                step_setting(step.code)
    return ChainStepSetting.objects.count() - before


def chain_open(
    *,
    subject: models.Model,
    code: str,
    title: str,
    link: str,
    exclude_user: User | None = None,
    region: Region | None = None,
    department: Department | None = None,
    route_region: Region | None = None,
) -> list[Task]:
    """Open a declared step as its setting says: 或签 — one task any member of the role may
    answer; 会签 — one task for each member (in the step's scope, the requester left out), and
    the step waits for all of them. With nobody to countersign it falls back to one task, which
    routing sends up the line."""
    from .copies import copies_add

    chain = chain_of(code)
    step = chain.step(code)
    setting = step_setting(code)
    scope = {
        "region": region if step.scope == REGION else None,
        "department": department if step.scope == TEAM else None,
    }
    common = {
        "subject": subject,
        "step": code,
        "step_label": setting.label,
        "title": title,
        "link": link,
        "exclude_user": exclude_user,
        "policy": setting.policy,
        "route_region": route_region,
    }
    members: list[User] = []
    if setting.mode == ChainStepSetting.Mode.ALL:
        people = users_in_role(setting.role.name, region=scope["region"])
        if scope["department"] is not None:
            people = people.filter(department=scope["department"])
        if exclude_user is not None:
            people = people.exclude(pk=exclude_user.pk)
        members = list(people)
    if members:
        tasks = [task_open(group=setting.role, assignee=user, **scope, **common) for user in members]
    else:
        tasks = [task_open(group=setting.role, **scope, **common)]
    copies = list(setting.copy_to.all())
    if copies:
        copies_add(record=subject, users=copies, actor=None, title=title, link=link)
    return tasks


def chain_task_for(subject: models.Model, code: str, actor) -> Task:
    """The open task of a step that this person may answer now (会签 and 加签 open several)."""
    from .selectors import open_tasks_for, task_can_act

    tasks = list(open_tasks_for(subject).filter(step=code).order_by("pk"))
    if not tasks:
        raise AlreadyDecided("该环节已被他人处理，请刷新页面查看最新状态")
    for task in tasks:
        if task_can_act(actor, task):
            return task
    raise PermissionDenied("您无权审批该环节")


def chain_step_pending(subject: models.Model, code: str) -> int:
    """After one approval: how many tasks of the step still wait (会签 members, 加签 signers)."""
    from .selectors import open_tasks_for

    return open_tasks_for(subject).filter(step=code).count()


def chain_step_end(subject: models.Model, code: str, actor) -> int:
    """A return or a rejection ends the step: the tasks others still had are cancelled."""
    from django.utils import timezone

    from .selectors import open_tasks_for
    from .services import _mark_notices_read

    count = 0
    for task in open_tasks_for(subject).filter(step=code).select_for_update(of=("self",)):
        task.cancel(by=actor, at=timezone.now())
        task.save(update_fields=["state", "closed_by", "outcome", "closed_at"])
        _mark_notices_read(task)
        count += 1
    return count


def earlier_steps(subject: models.Model, code: str) -> list[ChainStep]:
    """The steps before this one that this record went through (approved): where 退回到指定环节
    may send it."""
    from django.contrib.contenttypes.models import ContentType

    chain = chain_of(code)
    if chain is None:
        return []
    passed = set(
        Task.objects.filter(
            content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk, outcome="approve"
        ).values_list("step", flat=True)
    )
    return [s for s in chain.steps[: chain.index(code)] if s.code in passed]


@dataclass
class DiagramNode:
    label: str
    who: str
    mode: str
    status: str  # done / current / todo


def chain_diagram(subject: models.Model, state: str) -> tuple[Chain, list[DiagramNode]] | None:
    """流程图: the record's chain, each step done, current (highlighted) or still to come."""
    from django.contrib.contenttypes.models import ContentType

    from pmis.org.roles import role_label

    steps = {
        t.step
        for t in Task.objects.filter(content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk)
    }
    chain = next((c for c in CHAINS.values() if any(s.code in steps for s in c.steps)), None)
    if chain is None:
        return None
    current = next((s.code for s in chain.steps if s.state == state), "")
    settings_ = {
        s.code: s
        for s in ChainStepSetting.objects.select_related("role").filter(code__in=[x.code for x in chain.steps])
    }
    nodes, seen_current = [], False
    for step in chain.steps:
        setting = settings_.get(step.code)
        who = role_label(setting.role.name if setting else step.role)
        mode = (setting.mode if setting else step.mode) == ChainStepSetting.Mode.ALL
        if step.code == current:
            status, seen_current = "current", True
        elif step.code in steps and not seen_current:
            status = "done"
        else:
            status = "todo"
        nodes.append(DiagramNode(step.label, who, "会签" if mode else "或签", status))
    if not current:
        # past the chain (or before it): steps it went through are done
        for node, step in zip(nodes, chain.steps, strict=True):
            node.status = "done" if step.code in steps else "todo"
    return chain, nodes
