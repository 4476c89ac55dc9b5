"""The approval chains, declared in one place a person can read.

Each chain lists its steps in order: the code of the step (the Task.step its tasks carry), its
label, the role it waits on and that role's scope (the requester's team, the record's region, or
everyone in the role), whether every member must approve (会签) or any one (或签), the deadline
policy, and the record state in which the step waits. An administrator changes who a step waits
on, 会签 / 或签, the deadline and whom it copies in the admin (审批环节设置, ChainStepSetting); the
declaration gives the defaults. The state machines stay: a process's service moves its record
and asks `chain_open` to open the step of the state it entered; `chain_task_for` and
`chain_step_pending` make a step wait for every task it opened (会签, 加签).

Every chain below drives its tasks: its record's app binds the model to it (`chain_record`, with
how a record fills in title, link, applicant and scope), and its services call `chain_advance`,
`chain_take`, `chain_countersigned` and `chain_return_to` — one machinery for 会签 / 或签, 加签 and
退回到指定环节 whatever the chain. A step marked `approval=False` does something (issues a licence,
audits materials, confirms receipt): it opens and is answered the same way, but takes no 加签.

000 §3.1–3.2 实施登记审批 (chain "registration"):
  1 销售主管审批   sales_manager      本团队   或签  approval-step   待销售主管审批 (特批 and upgrades)
  2 特批领导审批   special_approver   本区域   或签  approval-step   待特批领导审批 (特批 only)
  3 商务审批       business_approver  全部     或签  approval-step   待商务审批
000 §3.3.4–3.3.5 产品领取单 (chain "product_request"):
  1 区域项目经理审核 regional_pm 本区域 · 2 商务审核 business_approver · 3 产品发放 product_dept
  · 4 确认领取 (the requester; the implementers of the region stand in, no deadline)
000 §3.6–3.7 项目移交 (chain "handover"; the route of the handover says which steps):
  客户成功部 route: 1 客户成功负责人审批移交 cs_head · 2 客户成功部审核移交材料 cs_staff
  系统服务部 route: 1 系统服务部审核移交材料 aftersales
000 §3.3.2, §3.4 合同外定制 (chain "customisation"): 1 定制工作量评估 (the PM) · 2 研发确认技术方案与工作量
  (the named 研发经理, else 立项专家 / 开发经理; not the PM who estimated) · 3 定制工作量确认 (the responsible
  sales) · 4 发起定制化任务申请 (the same sales); a return (研发退回, 销售不认可) waits on the PM outside the chain
004 需求变更 (chain "change"): 用户方初审 (the PM records the customer's answer, change-approval,
  escalated to 项目总监) · 评估 · 需求讨论 (when a meeting is needed) · 需求组长实施 · 质量验证 (not by
  the 需求组长 who did it) · 提交版本发布申请
004 版本发布 (chain "release"): 项目总监审批 (emergency or downtime only) · 指派测试 · 测试 · 项目经理签字
  · 用户方同意 · 发布 · 留守观察 · 申请人确认
"""

from collections.abc import Callable
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
    # (field, value): the step belongs to the records whose field has this value (a handover's route)
    when: tuple[str, str] | None = None
    # an approval (加签 and 会签 make sense); a step that does something (issue a licence, confirm
    # receipt) is answered on its page by whoever it waits on
    approval: bool = True
    # who may not answer it: None — the applicant on an approval step, nobody on another; "" —
    # nobody; else the key of the record's context naming him (a change's 需求组长 for 质量验证)
    exclude: str | None = None
    escalate_to: str = ""  # the role an overdue task goes to (else the deadline policy's)

    def applies(self, record) -> bool:
        return self.when is None or str(getattr(record, self.when[0], "")) == self.when[1]


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

    def steps_of(self, record) -> list[ChainStep]:
        """The steps this record goes through (a handover to 系统服务部 skips 客户成功负责人)."""
        return [s for s in self.steps if s.applies(record)]

    def step_in(self, record, state: str | None = None) -> ChainStep | None:
        """The step that waits while the record is in this state (its own state by default)."""
        state = record.state if state is None else state
        return next((s for s in self.steps_of(record) if s.state == state), None)


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
            ChainStep("product_request.product", "产品发放", "product_dept", state="pending_product", approval=False),
            ChainStep(
                "product_request.receive",
                "确认领取",
                "implementer",
                REGION,
                policy="",
                state="issued",
                approval=False,
            ),
        ),
        drives_tasks=True,
    ),
    "handover": Chain(
        "handover",
        "项目移交",
        "000 §3.6–3.7",
        (
            ChainStep(
                "handover.cs_head",
                "客户成功负责人审批移交",
                "cs_head",
                state="pending_cs_head",
                when=("route", "customer_success"),
            ),
            ChainStep(
                "handover.cs_audit",
                "客户成功部审核移交材料",
                "cs_staff",
                state="pending_audit",
                when=("route", "customer_success"),
                approval=False,
            ),
            ChainStep(
                "handover.audit",
                "系统服务部审核移交材料",
                "aftersales",
                state="pending_audit",
                when=("route", "system_service"),
                approval=False,
            ),
        ),
        drives_tasks=True,
    ),
    "customisation": Chain(
        "customisation",
        "合同外定制",
        "000 §3.3.2、§3.4",
        (
            ChainStep(
                "customisation.estimate", "定制工作量评估", "regional_pm", REGION, state="estimating", approval=False
            ),
            ChainStep("customisation.rd", "研发确认技术方案与工作量", "rd_expert", state="pending_rd"),
            ChainStep("customisation.confirm", "定制工作量确认", "sales", state="pending_sales", approval=False),
            ChainStep("customisation.file", "发起定制化任务申请", "sales", state="confirmed", approval=False),
        ),
        drives_tasks=True,
    ),
    "change": Chain(
        "change",
        "需求变更",
        "004 需求变更流程",
        (
            ChainStep(
                "change.review",
                "用户方初审（业务审批）",
                "regional_pm",
                REGION,
                policy="change-approval",
                state="pending_review",
                approval=False,
                escalate_to="project_director",
            ),
            ChainStep("change.evaluate", "评估需求变更", "regional_pm", REGION, state="evaluating", approval=False),
            ChainStep(
                "change.discuss",
                "需求讨论（记录纪要）",
                "regional_pm",
                REGION,
                state="discussing",
                when=("needs_meeting", "True"),
                approval=False,
            ),
            ChainStep("change.work", "需求设计与实施", "requirement_lead", policy="", state="in_work", approval=False),
            ChainStep("change.verify", "质量验证", "quality", state="verifying", exclude="lead"),
            ChainStep(
                "change.release_request", "提交版本发布申请", "requirement_lead", state="verified", approval=False
            ),
        ),
        drives_tasks=True,
    ),
    "release": Chain(
        "release",
        "版本发布",
        "004 版本发布流程",
        (
            ChainStep(
                "release.director",
                "项目总监审批（紧急 / 停机发布）",
                "project_director",
                state="pending_director",
                when=("needs_director", "True"),
            ),
            ChainStep("release.assign", "指派测试人员", "regional_pm", REGION, state="pending_assign", approval=False),
            ChainStep("release.test", "测试发布版本", "quality", state="testing", approval=False),
            ChainStep(
                "release.signoff", "项目经理签字审批", "regional_pm", REGION, state="pending_signoff", exclude=""
            ),
            ChainStep(
                "release.consent",
                "登记用户方是否同意发布",
                "regional_pm",
                REGION,
                state="pending_consent",
                approval=False,
            ),
            ChainStep("release.perform", "发布版本并公告变更说明", "releaser", state="pending_release", approval=False),
            ChainStep("release.watch", "现网验证与留守观察", "releaser", policy="", state="released", approval=False),
            ChainStep(
                "release.confirm", "申请人确认发布结果", "regional_pm", REGION, state="pending_confirm", approval=False
            ),
        ),
        drives_tasks=True,
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
    assignee: User | None = None,
    notify_waiting: bool = True,
    label_suffix: str = "",
) -> list[Task]:
    """Open a declared step as its setting says: 或签 — one task any member of the role may
    answer; 会签 — one task for each member (in the step's scope, the requester left out), and
    the step waits for all of them. With nobody to countersign it falls back to one task, which
    routing sends up the line. A step the record names one person for (`assignee`: the requester
    confirming receipt) waits on him, the role standing in when he cannot act."""
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
        "step_label": f"{setting.label}{label_suffix}",
        "title": title,
        "link": link,
        "exclude_user": exclude_user,
        "policy": setting.policy,
        "route_region": route_region,
        "notify_waiting": notify_waiting,
        "escalate_to": step.escalate_to or None,
    }
    members: list[User] = []
    if assignee is not None:
        members = [assignee]
    elif setting.mode == ChainStepSetting.Mode.ALL:
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
    for task in tasks:
        if task_can_act(actor, task):
            return task
    # pressed second: his task (or the one he stood in for) was decided by someone else
    stale = _decided_for(subject, code, actor)
    if stale is not None:
        raise AlreadyDecided(stale)
    if not tasks:
        raise AlreadyDecided("该环节已被他人处理，请刷新页面查看最新状态")
    raise PermissionDenied("您无权审批该环节")


def _decided_for(subject: models.Model, code: str, actor) -> str | None:
    """“已由 X 于 … 处理” when a task of this chain that waited on the actor (or on the person he
    stands in for, or that he stood in for) has been decided meanwhile — the step he pressed on
    or, the chain having moved on, the one before."""
    from django.contrib.contenttypes.models import ContentType

    from .actions import stale_message
    from .decisions import task_was_for

    chain = chain_of(code)
    codes = [s.code for s in chain.steps] if chain is not None else [code]
    closed = (
        Task.objects.filter(
            content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk, step__in=codes
        )
        .exclude(state=Task.State.OPEN)
        .select_related("closed_by", "on_behalf_of")
        .order_by("-closed_at", "-pk")
    )
    for task in closed[:20]:
        # his own earlier decision of another step says nothing about this one
        mine = task.closed_by_id == actor.pk and task.on_behalf_of_id is None
        if (task.step == code or not mine) and task_was_for(actor, task):
            return stale_message(task)
    return None


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
            content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk, state=Task.State.DONE
        )
        .exclude(outcome__in=NOT_PASSED)
        .values_list("step", flat=True)
    )
    return [s for s in chain.steps[: chain.index(code)] if s.code in passed and s.applies(subject)]


NOT_PASSED = ("return", "reject", "returned_to", "rd_returned", "declined")


# ---------------------------------------------------------------------------------------------
# one machinery for every chain: the record's app says how its records fill in a step (title,
# link, applicant, scope) with `chain_record`; the services then open the next step
# (`chain_advance`), take the task the actor may answer (`chain_take`), let a 会签 / 加签 step wait
# for its last approval (`chain_countersigned`) and send a record back to an earlier step
# (`chain_return_to`, 退回到指定环节) without knowing which chain it is.


@dataclass(frozen=True)
class ChainRecord:
    chain: str
    # record -> {"title", "link", "applicant", "region", "department", "route_region"}
    context: Callable[[models.Model], dict]
    # record, step -> the one person a step waits on (None: the step's role)
    assignee: Callable[[models.Model, ChainStep], User | None] | None = None


RECORDS: dict[type, ChainRecord] = {}


def chain_record(model: type, *, chain: str, context, assignee=None) -> None:
    """Bind a model to its chain (called from the app's ready())."""
    if chain not in CHAINS:
        raise KeyError(chain)
    RECORDS[model] = ChainRecord(chain, context, assignee)


def _binding(record: models.Model) -> ChainRecord | None:
    return RECORDS.get(record._meta.concrete_model)


def chain_of_record(record: models.Model) -> Chain | None:
    binding = _binding(record)
    return CHAINS[binding.chain] if binding is not None else None


def chain_current(record: models.Model) -> ChainStep | None:
    chain = chain_of_record(record)
    return chain.step_in(record) if chain is not None else None


def chain_advance(record: models.Model, *, notify_waiting: bool = True, label_suffix: str = "") -> list[Task]:
    """Open the step of the state the record has just entered, as the declaration and the
    administrator's setting say; nothing when that state waits on no step of its chain."""
    binding = _binding(record)
    step = chain_current(record)
    if binding is None or step is None:
        return []
    ctx = binding.context(record)
    assignee = binding.assignee(record, step) if binding.assignee is not None else None
    if step.exclude is None:
        # the applicant never decides his own request; a step of his own (confirm receipt) waits on him
        excluded = ctx.get("applicant") if step.approval else None
    else:
        excluded = ctx.get(step.exclude) if step.exclude else None
    return chain_open(
        subject=record,
        code=step.code,
        title=ctx["title"],
        link=ctx["link"],
        exclude_user=excluded,
        region=ctx.get("region"),
        department=ctx.get("department"),
        route_region=ctx.get("route_region") or ctx.get("region"),
        assignee=assignee,
        notify_waiting=notify_waiting,
        label_suffix=label_suffix,
    )


def chain_take(record: models.Model, actor) -> tuple[ChainStep, Task]:
    """The step the (locked) record waits on and the task of it this person may answer now.
    Pressed second, he reads who decided and when."""
    from .decisions import decided_message

    step = chain_current(record)
    if step is None:
        raise AlreadyDecided(decided_message(record))
    return step, chain_task_for(record, step.code, actor)


def chain_countersigned(record: models.Model, step: ChainStep, actor, comment: str = "") -> int:
    """After one approval of a step: how many of its tasks still wait (会签 members, 加签 signers).
    While some do the approval is written in the history and the step stays."""
    from pmis.audit.services import audit_record

    waiting = chain_step_pending(record, step.code)
    if waiting:
        chain = chain_of(step.code)
        audit_record(
            subject=record,
            action=f"{chain.code}.countersign",
            label=f"{step.label}：会签通过（尚待 {waiting} 人）",
            actor=actor,
            comment=comment,
            details={"step": step.code, "waiting": waiting},
        )
    return waiting


def task_can_return_to(user, task: Task) -> bool:
    """退回到指定环节 is offered on a step of a chain that drives its tasks, to whoever may answer
    it, when the record has passed an earlier step."""
    from .selectors import task_can_act

    chain = chain_of(task.step)
    if chain is None or not chain.drives_tasks or not task_can_act(user, task):
        return False
    return bool(earlier_steps(task.subject, task.step))


def chain_return_to(*, record: models.Model, actor, step_code: str, comment: str) -> models.Model:
    """退回到指定环节: send the record back to an earlier step of its chain that it went through;
    the chain resumes from there. The record's state machine says where with `send_back_to`."""
    from django.db import transaction

    from pmis.audit.services import audit_record
    from pmis.notify.services import notify

    from .errors import DomainError
    from .services import task_close

    comment = (comment or "").strip()
    if not comment:
        raise DomainError("退回到指定环节必须填写原因")
    with transaction.atomic():
        model = record._meta.concrete_model
        record = model._default_manager.select_for_update(of=("self",)).get(pk=record.pk)
        step, task = chain_take(record, actor)
        target = next((s for s in earlier_steps(record, step.code) if s.code == step_code), None)
        if target is None:
            raise DomainError("只能退回到本记录已经过的前序环节")
        chain = chain_of(step.code)
        from_state = record.state
        task_close(task=task, actor=actor, outcome="returned_to")
        chain_step_end(record, step.code, actor)
        record.send_back_to(target.state)
        fields = ["state"] + (["updated_at"] if any(f.name == "updated_at" for f in model._meta.fields) else [])
        record.save(update_fields=fields)
        audit_record(
            subject=record,
            action=f"{chain.code}.return_to",
            label=f"{step.label}退回到“{target.label}”",
            actor=actor,
            from_state=from_state,
            to_state=record.state,
            comment=comment,
            details={"step": step.code, "to_step": target.code},
        )
        chain_advance(record)
        ctx = _binding(record).context(record)
        if ctx.get("applicant") is not None:
            notify(
                recipients=[ctx["applicant"]],
                title=f"{chain.label}被退回到“{target.label}”：{ctx['title']}",
                body=f"{actor}：{comment}",
                link=ctx["link"],
                subject=record,
                kind="chain_returned_to",
            )
    return record


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
    chain = chain_of_record(subject) or next(
        (c for c in CHAINS.values() if any(s.code in steps for s in c.steps)), None
    )
    if chain is None:
        return None
    current_step = chain.step_in(subject, state) if hasattr(subject, "state") else None
    current = current_step.code if current_step is not None else ""
    settings_ = {
        s.code: s
        for s in ChainStepSetting.objects.select_related("role").filter(code__in=[x.code for x in chain.steps])
    }
    nodes, seen_current = [], False
    own_steps = chain.steps_of(subject)
    for step in own_steps:
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
        for node, step in zip(nodes, own_steps, strict=True):
            node.status = "done" if step.code in steps else "todo"
    return chain, nodes
