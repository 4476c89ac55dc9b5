"""Implementation registrations: save, submit, decide along the chain, withdraw.

The chains (000 §3.1, 001 §3.2.1 / §3.4.1, DESIGN.md §2.1):
  special (local / SaaS, contract unsigned or first payment missing):
      sales manager of the owner's team → special approver of the registration's region → business
  upgrade: sales manager → business
  otherwise: business
Business approval dispatches: local → project directors, SaaS → customer-success managers,
upgrade → the parent project's PM."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from approvals.chains import chain_advance, chain_countersigned, chain_current, chain_step_end, chain_task_for
from approvals.errors import AlreadyDecided, DomainError
from approvals.models import Task
from approvals.selectors import open_tasks_for, task_can_act
from approvals.services import next_number, task_close, task_open, tasks_cancel_for, waiting_users
from pmis.audit.services import audit_record
from pmis.documents.selectors import present_doc_type_codes
from pmis.notify.services import notify

from .models import PENDING_STATES, Kind, Registration, State

REQUIRED_ATTACHMENTS = {"presales-solution": "售前解决方案", "requirement-collection": "用户需求采集表"}


@dataclass(frozen=True)
class Step:
    code: str
    label: str


STEPS = {
    State.PENDING_SALES_MANAGER: Step("registration.sales_manager", "销售主管审批"),
    State.PENDING_SPECIAL: Step("registration.special", "特批领导审批"),
    State.PENDING_BUSINESS: Step("registration.business", "商务审批"),
    State.DISPATCHED: Step("registration.initiate", "立项"),
}
OUTSOURCING_STEP = Step("registration.outsourcing", "外采办理")
# A returned registration waits on its owner until resubmitted or withdrawn.
RESUBMIT_STEP = Step("registration.resubmit", "修改并重新提交")
# 001 §3.2.1 / §3.4.1: the 责任售前 uploads the 售前解决方案 to the registration (SaaS needs none, 000 §3.1).
PRESALES_STEP = Step("registration.presales_solution", "上传售前解决方案")
PRESALES_SOLUTION = "presales-solution"

# (key, label) of the business review (000 §3.2 审核内容)
BUSINESS_CHECKLIST = (
    ("contract_status", "已核实项目合同状态"),
    ("first_payment", "已核实首笔款项支付状态"),
    ("requirements_match", "已比对《用户需求采集表》与合同产品清单 / 服务内容"),
    ("scope_pricing", "已审核实施范围与产品定价"),
)
DECISIONS = {"approve": "通过", "return": "退回", "reject": "驳回"}


class RegistrationIncomplete(DomainError):
    def __init__(self, missing: dict[str, str]):
        self.missing = missing  # field name -> Chinese message
        super().__init__("提交前请补全：" + "；".join(missing.values()))


def missing_items(registration: Registration) -> dict[str, str]:
    """Everything the seed's 提交必要内容 asks for that is still missing, by field."""
    r = registration
    missing: dict[str, str] = {}

    def need(field: str, ok, message: str) -> None:
        if not ok:
            missing[field] = message

    need("customer_name", r.customer_name.strip(), "客户全称")
    need("customer_short_name", r.customer_short_name.strip(), "客户简称（用于标题）")
    need("region", r.region_id, "所属区域")
    need("user_scale", r.user_scale.strip(), "用户规模")
    need("signing_volume", r.signing_volume.strip(), "签署量")
    need("seal_count", r.seal_count is not None, "印章数量")
    need("enterprise_nature", r.enterprise_nature, "企业性质")
    need("main_business", r.main_business.strip(), "主营业务")
    need("scenarios", r.scenarios, "应用场景（至少选择一项）")
    if "other" in r.scenarios:
        need("scenario_other", r.scenario_other.strip(), "其他应用场景的说明")
    need("stakeholders", r.stakeholders.exists(), "项目对接干系人（至少一人）")
    need("go_live_date", r.go_live_date, "计划上线时间")
    if r.province_id and r.region_id and r.province.region_id != r.region_id:
        missing["province"] = f"省份“{r.province}”不属于所选区域"

    if r.kind in (Kind.LOCAL, Kind.SAAS):
        need("products", r.products.exists(), "采购产品及服务（至少选择一项）")
        need("certificate_form", r.certificate_form, "证书形态")
        need("certificate_vendor", r.certificate_vendor.strip(), "证书厂商")
        if r.contract_signed:
            need("contract_number", r.contract_number.strip(), "合同编号（合同已签时必填）")
            need("contract_amount", r.contract_amount is not None, "合同金额（合同已签时必填）")
    if r.kind == Kind.LOCAL:
        need("product_line", r.product_line, "产品类型（电子签章 / 电子合同 / 数字信任）")
        need("seal_handling", r.seal_handling, "印章办理方式")
        present = present_doc_type_codes(r)
        need(
            "attachments",
            present & set(REQUIRED_ATTACHMENTS),
            "附件：《售前解决方案》或《用户需求采集表》（本地化项目必须上传其一）",
        )
    waits_on_presales = needs_presales_solution(r) and PRESALES_SOLUTION not in present_doc_type_codes(r)
    if waits_on_presales and "attachments" not in missing:
        missing["attachments"] = f"附件：《售前解决方案》（等待责任售前 {r.presales} 上传）"
    if r.kind == Kind.UPGRADE:
        need("parent_project", r.parent_project_id, "原项目")
        if r.new_contract:
            need("contract_amount", r.contract_amount is not None, "合同金额（新签合同时必填）")
    return missing


def _lock(registration: Registration) -> Registration:
    return Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)


def registration_context(registration: Registration) -> dict:
    """How a registration fills in the steps of its chain (approvals.chains, "registration")."""
    return {
        "title": f"{registration.number} {registration.title}",
        "link": registration.get_absolute_url(),
        "applicant": registration.owner,
        "region": registration.region,
        "department": registration.owner.department,
    }


def _open_step(registration: Registration) -> Task | None:
    """Open the task for the state the registration has just entered."""
    step = STEPS.get(registration.state)
    if step is None:
        return None
    common = {
        "subject": registration,
        "step": step.code,
        "step_label": step.label,
        "title": f"{registration.number} {registration.title}",
        "link": registration.get_absolute_url(),
        "exclude_user": registration.owner,
        "route_region": registration.region,
    }
    if registration.state in PENDING_STATES:
        # the approval chain of 000 §3.1–3.2 is declared in approvals.chains (who, 会签 / 或签, deadline)
        return chain_advance(registration)[0]
    # dispatched: where the project is initiated
    if registration.kind == Kind.LOCAL:
        return task_open(group="project_director", **common)
    if registration.kind == Kind.SAAS:
        return task_open(group="cs_manager", **common)
    parent = registration.parent_project
    if parent.pm is not None:
        # the parent's PM, standing for the regional PMs of its region when he cannot act
        return task_open(assignee=parent.pm, group="regional_pm", region=parent.region, **common)
    return task_open(group="project_director", **common)


@transaction.atomic
def registration_submit(*, registration: Registration, actor) -> Registration:
    """Submit (or resubmit after a return): every required item present, then the chain starts
    from its first step."""
    registration = _lock(registration)
    if registration.owner_id != actor.pk:
        raise PermissionDenied("只有责任销售本人可以提交该登记")
    if registration.state not in (State.DRAFT, State.RETURNED):
        raise DomainError(f"当前状态“{registration.get_state_display()}”不能提交")
    missing = missing_items(registration)
    if missing:
        raise RegistrationIncomplete(missing)
    from_state = registration.state
    if not registration.number:
        registration.number = next_number("WT" if registration.is_upgrade else "SD")
    registration.submit(at=timezone.now())
    registration.save(update_fields=["state", "special", "submitted_at", "number", "updated_at"])
    for task in open_tasks_for(registration).filter(step=RESUBMIT_STEP.code):
        task_close(task=task, actor=actor, outcome="resubmitted")
    audit_record(
        subject=registration,
        action="registration.submit",
        label="重新提交" if from_state == State.RETURNED else "提交登记",
        actor=actor,
        from_state=from_state,
        to_state=registration.state,
        details={"special": registration.special},
    )
    _open_step(registration)
    return registration


@transaction.atomic
def registration_decide(
    *, registration: Registration, actor, decision: str, comment: str = "", review: dict | None = None
) -> Registration:
    """Approve, return (退回) or reject (驳回) the step the registration waits on. Two approvers at
    once: the row lock lets one through; the other gets AlreadyDecided."""
    if decision not in DECISIONS:
        raise DomainError("未知的审批结果")
    comment = (comment or "").strip()
    registration = _lock(registration)
    if registration.state not in PENDING_STATES:
        raise AlreadyDecided(f"该登记已被处理（当前状态：{registration.get_state_display()}），请刷新页面查看最新状态")
    step = STEPS[registration.state]
    task = chain_task_for(registration, step.code, actor)  # 会签 and 加签 open several
    if decision in ("return", "reject") and not comment:
        raise DomainError(f"{DECISIONS[decision]}必须填写原因")

    review = dict(review or {})
    outsourcing = False
    if decision == "approve" and registration.state == State.PENDING_BUSINESS:
        unchecked = [label for key, label in BUSINESS_CHECKLIST if not review.get(key)]
        if unchecked:
            raise DomainError("请完成商务审核要点：" + "；".join(unchecked))
        outsourcing = bool(review.get("outsourcing_needed"))

    from_state = registration.state
    task_close(task=task, actor=actor, outcome=decision)
    if decision == "approve" and chain_countersigned(registration, chain_current(registration), actor, comment):
        return registration  # 会签 / 加签: the step moves on when everyone it waits on has approved
    if decision != "approve":
        chain_step_end(registration, step.code, actor)
    now = timezone.now()
    if decision == "approve":
        if from_state == State.PENDING_SALES_MANAGER:
            registration.approve_sales_manager()
        elif from_state == State.PENDING_SPECIAL:
            registration.approve_special()
        else:
            registration.approve_business(at=now, review={**review, "by": actor.pk, "at": now.isoformat()})
    elif decision == "return":
        registration.send_back()
    else:
        registration.reject()
    registration.save(update_fields=["state", "business_review", "dispatched_at", "updated_at"])
    audit_record(
        subject=registration,
        action=f"registration.{decision}",
        label=f"{step.label}{DECISIONS[decision]}",
        actor=actor,
        from_state=from_state,
        to_state=registration.state,
        comment=comment,
        details={"step": step.code, **({"review": review} if review else {})},
    )
    _open_step(registration)
    if outsourcing:
        task_open(
            subject=registration,
            step=OUTSOURCING_STEP.code,
            step_label=OUTSOURCING_STEP.label,
            title=f"{registration.number} {registration.title}",
            link=registration.get_absolute_url(),
            group="business_approver",
        )
    if decision == "return":
        task_open(
            subject=registration,
            step=RESUBMIT_STEP.code,
            step_label=RESUBMIT_STEP.label,
            title=f"{registration.number} {registration.title}（退回原因：{comment}）",
            link=reverse("registrations:edit", args=[registration.pk]),
            assignee=registration.owner,
            policy=None,
            notify_waiting=False,  # the owner is told with the reason just below
        )
    _tell_owner(registration, step, decision, actor, comment)
    return registration


def _tell_owner(registration: Registration, step: Step, decision: str, actor, comment: str) -> None:
    verdict = DECISIONS[decision]
    where = {
        State.PENDING_SPECIAL: "，已转特批领导审批",
        State.PENDING_BUSINESS: "，已转商务审批",
        State.DISPATCHED: "，已派发立项" if registration.kind != Kind.UPGRADE else "，已派发原项目经理",
        State.RETURNED: "，请修改后重新提交",
    }.get(registration.state, "")
    body = f"{actor}：{comment}" if comment else f"审批人：{actor}"
    notify(
        recipients=[registration.owner],
        title=f"{registration.title}：{step.label}{verdict}{where}",
        body=body,
        link=registration.get_absolute_url(),
        subject=registration,
        kind=f"registration_{decision}",
    )


@transaction.atomic
def registration_withdraw(*, registration: Registration, actor, reason: str = "") -> Registration:
    registration = _lock(registration)
    if registration.owner_id != actor.pk:
        raise PermissionDenied("只有责任销售本人可以撤回该登记")
    if registration.state not in (State.DRAFT, State.RETURNED, *PENDING_STATES):
        raise DomainError(f"当前状态“{registration.get_state_display()}”不能撤回")
    from_state = registration.state
    waiting = list(open_tasks_for(registration).select_related("group", "region", "assignee", "claimed_by"))
    tasks_cancel_for(subject=registration, actor=actor)
    registration.withdraw()
    registration.save(update_fields=["state", "updated_at"])
    audit_record(
        subject=registration,
        action="registration.withdraw",
        label="撤回登记",
        actor=actor,
        from_state=from_state,
        to_state=registration.state,
        comment=reason,
    )
    recipients = [u for task in waiting for u in waiting_users(task) if u.pk != actor.pk]
    if recipients:
        notify(
            recipients=recipients,
            title=f"{registration.title}：申请人已撤回",
            body=reason,
            link=registration.get_absolute_url(),
            subject=registration,
            kind="registration_withdrawn",
        )
    return registration


@transaction.atomic
def registration_outsourcing_done(*, registration: Registration, actor, comment: str = "") -> Task:
    """The business department records that the outsourced purchase (外采) has been arranged."""
    registration = _lock(registration)
    task = open_tasks_for(registration).filter(step=OUTSOURCING_STEP.code).first()
    if task is None:
        raise AlreadyDecided("外采任务已处理")
    if not task_can_act(actor, task):
        raise PermissionDenied("您无权办理该外采任务")
    task = task_close(task=task, actor=actor, outcome="done")
    audit_record(
        subject=registration, action="registration.outsourcing", label="外采已办理", actor=actor, comment=comment
    )
    return task


def needs_presales_solution(registration: Registration) -> bool:
    """A named 责任售前 provides the 售前解决方案, except for SaaS (000 §3.1)."""
    return registration.presales_id is not None and registration.kind != Kind.SAAS


def presales_step_sync(registration: Registration, actor) -> None:
    """While a draft (or returned) registration lacks the solution, it waits on its 责任售前; a
    step for someone no longer named (or no longer needed) is closed as cancelled."""
    waiting = open_tasks_for(registration).filter(step=PRESALES_STEP.code)
    needed = (
        needs_presales_solution(registration)
        and registration.state in (State.DRAFT, State.RETURNED)
        and PRESALES_SOLUTION not in present_doc_type_codes(registration)
    )
    for task in waiting:
        if not needed or task.assignee_id != registration.presales_id:
            task_close(task=task, actor=actor, outcome="cancelled")
    if needed and not open_tasks_for(registration).filter(step=PRESALES_STEP.code).exists():
        task_open(
            subject=registration,
            step=PRESALES_STEP.code,
            step_label=PRESALES_STEP.label,
            title=f"{registration.number or '草稿'} {registration.title}",
            link=registration.get_absolute_url() + "#attachments",
            assignee=registration.presales,
            policy=None,
        )
        audit_record(
            subject=registration,
            action="registration.presales_named",
            label=f"等待责任售前 {registration.presales} 上传售前解决方案",
            actor=actor,
        )


def presales_solution_attached(registration: Registration, attachment, actor) -> None:
    """The 售前解决方案 is on the registration: the 责任售前's step is done."""
    if attachment.doc_type.code != PRESALES_SOLUTION:
        return
    for task in open_tasks_for(registration).filter(step=PRESALES_STEP.code):
        task_close(task=task, actor=actor, outcome="uploaded")
        if actor is not None and actor.pk != registration.owner_id:
            notify(
                recipients=[registration.owner],
                title=f"{registration.title}：责任售前已上传售前解决方案",
                body=f"{actor} 已上传《售前解决方案》，可以提交实施登记。",
                link=registration.get_absolute_url(),
                subject=registration,
                kind="presales_solution_uploaded",
            )


@transaction.atomic
def registration_save(*, form, stakeholders, systems, actor, kind: str | None = None) -> Registration:
    """Save what was typed as a draft (or the edits after a return). Nothing is required here;
    completeness is checked on submit."""
    registration = form.instance
    created = registration.pk is None
    if created:
        registration.owner = actor
        registration.kind = kind
    else:
        current = _lock(registration)
        if current.owner_id != actor.pk:
            raise PermissionDenied("只有责任销售本人可以修改该登记")
        if current.state not in (State.DRAFT, State.RETURNED):
            raise DomainError(f"当前状态“{current.get_state_display()}”不能修改")
    if registration.province_id and not registration.region_id:
        registration.region = registration.province.region
    registration = form.save()
    stakeholders.instance = registration
    stakeholders.save()
    systems.instance = registration
    systems.save()
    if created:
        audit_record(
            subject=registration, action="registration.create", label="创建草稿", actor=actor, to_state=State.DRAFT
        )
    presales_step_sync(registration, actor)
    return registration


def registration_return_to(*, registration: Registration, actor, step_code: str, comment: str) -> Registration:
    """退回到指定环节: send the registration back to an earlier step of its chain that it went
    through; the chain resumes from there (the one machinery of approvals.chains)."""
    from approvals.chains import chain_return_to

    return chain_return_to(record=registration, actor=actor, step_code=step_code, comment=comment)
