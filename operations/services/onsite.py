"""现场服务 (004 §8, §8.1.2) and 保外维修 (004 §8.1.4).

On-site: phone contact within the contact policy (4 working hours); on site within 1 hour where
a branch of the company covers the customer's province, 48 hours where none does (policies
onsite-arrival-branch / -remote; branches by province in the admin); the engineer records contact,
arrival and departure from a phone. Repair: inspected on the day it comes back with a
产品维修检查确认单, confirmed by the customer, back within 3–7 working days of the confirmation."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from approvals.errors import DomainError
from approvals.selectors import open_tasks_for
from approvals.services import task_close, task_open
from pmis.audit.services import audit_record
from pmis.notify.services import notify
from pmis.worktime.calendar import add_duration
from pmis.worktime.models import SlaPolicy
from projects.models import Project

from ..documents import repair_form_file
from ..models import Branch, OnsiteVisit, Repair
from .common import require_work

CONTACT_POLICY = "onsite-contact"
ARRIVAL_BRANCH_POLICY = "onsite-arrival-branch"
ARRIVAL_REMOTE_POLICY = "onsite-arrival-remote"


def arrival_policy(province) -> SlaPolicy:
    """1 h where a branch covers the province, 48 h where none does (004 §8)."""
    has_branch = Branch.objects.filter(province=province, active=True).exists()
    return SlaPolicy.objects.get(code=ARRIVAL_BRANCH_POLICY if has_branch else ARRIVAL_REMOTE_POLICY)


def _step(record, *, step: str, label: str, title: str, assignee, policy):
    """Every waiting step of an on-site visit or a repair opens here."""
    return task_open(
        subject=record,
        step=step,
        step_label=label,
        title=title,
        link=record.get_absolute_url(),
        assignee=assignee,
        policy=policy,
    )


def _close(record, actor, outcome: str, step: str) -> None:
    for task in open_tasks_for(record).filter(step=step):
        task_close(task=task, actor=actor, outcome=outcome)


@transaction.atomic
def onsite_request(
    *, project: Project, actor, province, address: str, reason: str, engineer, ticket=None
) -> OnsiteVisit:
    require_work(actor, project, "发起现场服务")
    if not (reason or "").strip() or not (address or "").strip():
        raise DomainError("请填写现场地址与现场服务原因")
    if engineer is None or not engineer.is_active:
        raise DomainError("请选择到场的工程师")
    now = timezone.now()
    contact = SlaPolicy.objects.get(code=CONTACT_POLICY)
    arrival = arrival_policy(province)
    visit = OnsiteVisit.objects.create(
        project=project,
        ticket=ticket,
        province=province,
        address=address.strip(),
        reason=reason.strip(),
        engineer=engineer,
        has_branch=arrival.code == ARRIVAL_BRANCH_POLICY,
        requested_at=now,
        contact_due_at=add_duration(now, contact.duration, contact.clock),
        arrival_due_at=add_duration(now, arrival.duration, arrival.clock),
        requested_by=actor,
    )
    audit_record(
        subject=visit,
        action="onsite.request",
        label="发起现场服务",
        actor=actor,
        to_state=visit.state,
        details={"arrival_policy": arrival.code},
    )
    _step(
        visit,
        step="onsite.visit",
        label="现场服务",
        title=f"{project.name}：{address}",
        assignee=engineer,
        policy=arrival,
    )
    return visit


def _engineer_only(visit: OnsiteVisit, actor) -> None:
    if not (actor.is_superuser or actor.pk == visit.engineer_id):
        raise PermissionDenied("只有指派的工程师可以记录现场服务")


def _locked_visit(visit: OnsiteVisit) -> OnsiteVisit:
    return OnsiteVisit.objects.select_for_update(of=("self",)).select_related("project").get(pk=visit.pk)


@transaction.atomic
def onsite_contact(*, visit: OnsiteVisit, actor) -> OnsiteVisit:
    visit = _locked_visit(visit)
    _engineer_only(visit, actor)
    if visit.state != OnsiteVisit.State.REQUESTED:
        raise DomainError("已记录过电话联系")
    visit.contact(at=timezone.now())
    visit.save(update_fields=["state", "contacted_at"])
    audit_record(subject=visit, action="onsite.contact", label="已电话联系客户", actor=actor, to_state=visit.state)
    return visit


@transaction.atomic
def onsite_arrive(*, visit: OnsiteVisit, actor) -> OnsiteVisit:
    visit = _locked_visit(visit)
    _engineer_only(visit, actor)
    if visit.state not in (OnsiteVisit.State.REQUESTED, OnsiteVisit.State.CONTACTED):
        raise DomainError("已记录过到场")
    before = visit.state
    visit.arrive(at=timezone.now())
    visit.save(update_fields=["state", "contacted_at", "arrived_at"])
    met = "（达标）" if visit.arrival_met else "（超过到场时限）"
    audit_record(
        subject=visit,
        action="onsite.arrive",
        label=f"到达现场{met}",
        actor=actor,
        from_state=before,
        to_state=visit.state,
    )
    return visit


@transaction.atomic
def onsite_depart(*, visit: OnsiteVisit, actor, note: str) -> OnsiteVisit:
    note = (note or "").strip()
    if not note:
        raise DomainError("请填写现场工作记录")
    visit = _locked_visit(visit)
    _engineer_only(visit, actor)
    if visit.state != OnsiteVisit.State.ON_SITE:
        raise DomainError("请先记录到场")
    visit.depart(at=timezone.now(), note=note)
    visit.save(update_fields=["state", "departed_at", "work_note"])
    audit_record(
        subject=visit, action="onsite.depart", label="离开现场", actor=actor, to_state=visit.state, comment=note
    )
    _close(visit, actor, "finish", "onsite.visit")
    if visit.requested_by_id != actor.pk:
        notify(
            recipients=[visit.requested_by],
            title=f"现场服务已完成：{visit.project.name}",
            body=note,
            link=visit.get_absolute_url(),
            subject=visit,
            kind="onsite_done",
        )
    return visit


# -- 保外维修 ------------------------------------------------------------------------------------


def _locked_repair(repair: Repair) -> Repair:
    return Repair.objects.select_for_update(of=("self",)).select_related("project").get(pk=repair.pk)


def _repair_title(repair: Repair) -> str:
    return f"{repair.project.name}：{repair.product}"


@transaction.atomic
def repair_receive(*, project: Project, actor, product: str, fault: str, engineer, ticket=None) -> Repair:
    require_work(actor, project, "登记保外维修")
    if not (product or "").strip() or not (fault or "").strip():
        raise DomainError("请填写返修产品与故障现象")
    repair = Repair.objects.create(
        project=project,
        ticket=ticket,
        product=product.strip(),
        fault=fault.strip(),
        received_at=timezone.now(),
        engineer=engineer,
        created_by=actor,
    )
    audit_record(subject=repair, action="repair.receive", label="收到保外返修产品", actor=actor, to_state=repair.state)
    _step(
        repair,
        step="repair.inspect",
        label="检查并填写产品维修检查确认单",
        title=_repair_title(repair),
        assignee=engineer,
        policy="repair-inspect",
    )
    return repair


@transaction.atomic
def repair_inspect(*, repair: Repair, actor, findings: str, cost_estimate: str) -> Repair:
    """The 产品维修检查确认单: what is damaged and what it costs; the customer is then asked to confirm."""
    if not (findings or "").strip():
        raise DomainError("请填写检查情况（损坏情况）")
    repair = _locked_repair(repair)
    require_work(actor, repair.project, "填写产品维修检查确认单")
    if repair.state != Repair.State.INSPECTING:
        raise DomainError("该返修产品已检查")
    repair.inspect(at=timezone.now(), findings=findings.strip(), cost_estimate=(cost_estimate or "").strip())
    repair.save(update_fields=["state", "inspected_at", "findings", "cost_estimate"])
    audit_record(
        subject=repair,
        action="repair.inspect",
        label="填写产品维修检查确认单，通知客户确认",
        actor=actor,
        to_state=repair.state,
    )
    repair_form_file(repair, actor=actor)
    _close(repair, actor, "done", "repair.inspect")
    _step(
        repair,
        step="repair.customer",
        label="记录客户维修确认",
        title=_repair_title(repair),
        assignee=repair.engineer,
        policy=None,
    )
    return repair


@transaction.atomic
def repair_confirm(*, repair: Repair, actor, accept: bool, contact: str) -> Repair:
    """The customer's answer to the 确认单; the 3–7 working days run from the day they confirm."""
    if not (contact or "").strip():
        raise DomainError("请填写客户确认人")
    repair = _locked_repair(repair)
    require_work(actor, repair.project, "记录客户维修确认")
    if repair.state != Repair.State.AWAITING_CUSTOMER:
        raise DomainError("该维修不在待客户确认状态")
    _close(repair, actor, "confirmed" if accept else "declined", "repair.customer")
    if not accept:
        repair.decline(contact=contact.strip())
        repair.save(update_fields=["state", "customer_contact"])
        audit_record(subject=repair, action="repair.decline", label="客户不维修", actor=actor, to_state=repair.state)
        return repair
    now = timezone.now()
    policy = SlaPolicy.objects.get(code="repair-return")
    repair.confirm(at=now, contact=contact.strip(), due_at=add_duration(now, policy.duration, policy.clock))
    repair.save(update_fields=["state", "customer_confirmed_at", "customer_contact", "return_due_at"])
    audit_record(subject=repair, action="repair.confirm", label="客户确认维修", actor=actor, to_state=repair.state)
    _step(
        repair,
        step="repair.return",
        label="维修并返回",
        title=_repair_title(repair),
        assignee=repair.engineer,
        policy=policy,
    )
    return repair


@transaction.atomic
def repair_return(*, repair: Repair, actor) -> Repair:
    repair = _locked_repair(repair)
    require_work(actor, repair.project, "记录维修返回")
    if repair.state != Repair.State.REPAIRING:
        raise DomainError("该维修不在维修中")
    repair.send_back(at=timezone.now())
    repair.save(update_fields=["state", "returned_at"])
    audit_record(
        subject=repair,
        action="repair.return",
        label="维修返回" + ("（达标）" if repair.return_met else "（超时）"),
        actor=actor,
        to_state=repair.state,
    )
    _close(repair, actor, "finish", "repair.return")
    return repair
