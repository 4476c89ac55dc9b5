"""需求变更 (004 §8.2.2-3): 业务人员 (or the PM for the customer) submits → 用户方初审, recorded by the PM
with the customer's answer, due one working day after submission (warned, escalated to the 项目总监)
→ the PM evaluates impact, person-days and whether a meeting is needed → optional discussion with
minutes → 需求组长 designs and leads the work → 质量人员 verifies → 需求组长 files the release request
(releases.release_request). When the planned date cannot be met the customer is told one working
day before it: the PM is reminded then (change_deadline_reminders)."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from approvals.chains import chain_advance, chain_countersigned, chain_current, chain_step_end
from approvals.errors import DomainError
from approvals.services import next_number, task_close
from pmis.audit.services import audit_record
from pmis.notify.services import notify, notify_once
from pmis.worktime.calendar import subtract_duration
from pmis.worktime.models import SlaPolicy
from projects.models import Project
from projects.services import can_manage

from ..models import ChangeRequest
from .common import can_file, require_live, require_text, step_for

DELAY_NOTICE_POLICY = "change-delay-notice"
REMINDER_JOB = "change_delay_notice"
OPEN_WORK = (
    ChangeRequest.State.DISCUSSING,
    ChangeRequest.State.IN_WORK,
    ChangeRequest.State.VERIFYING,
    ChangeRequest.State.VERIFIED,
)


def _locked(cr: ChangeRequest) -> ChangeRequest:
    return ChangeRequest.objects.select_for_update(of=("self",)).select_related("project", "project__pm").get(pk=cr.pk)


def _title(cr: ChangeRequest) -> str:
    return f"{cr.number} {cr.title}（{cr.project.name}）"


def change_context(cr: ChangeRequest) -> dict:
    """How a change request fills in the steps of its chain (approvals.chains, "change")."""
    return {
        "title": _title(cr),
        "link": cr.get_absolute_url(),
        "applicant": cr.submitted_by,
        "region": cr.project.region,
        "lead": cr.lead,
    }


def change_assignee(cr: ChangeRequest, step):
    """The PM answers the customer-facing steps, the 需求组长 who took the work its own steps; with
    none named, the step's role (the regional PMs, the 需求组长) answers."""
    if step.role == "regional_pm":
        return cr.project.pm
    if step.role == "requirement_lead":
        return cr.lead
    return None


def _audit(cr, action, label, actor, before, **extra):
    audit_record(subject=cr, action=action, label=label, actor=actor, from_state=before, to_state=cr.state, **extra)


@transaction.atomic
def change_request_submit(*, project: Project, actor, data: dict, ticket=None) -> ChangeRequest:
    """Submit a 需求变更申请单; the 用户方初审 (business approval) is due one working day later."""
    project = Project.objects.select_for_update(of=("self",)).select_related("pm", "region").get(pk=project.pk)
    if not can_file(actor, project):
        raise PermissionDenied("只有项目组成员可以提交需求变更申请")
    require_live(project)
    if ticket is not None and ticket.project_id != project.pk:
        raise DomainError("来源问题不属于该项目")
    cr = ChangeRequest.objects.create(
        number=next_number("XQ"),
        project=project,
        ticket=ticket,
        kind=data.get("kind") or ChangeRequest.Kind.NEW,
        title=require_text(data.get("title"), "请填写需求主题"),
        description=require_text(data.get("description"), "请填写需求说明"),
        proposer=require_text(data.get("proposer"), "请填写业务提出人"),
        submitted_by=actor,
    )
    task = chain_advance(cr)[0]  # 用户方初审: its deadline (change-approval) is the step's setting
    cr.review_due_at = task.due_at
    cr.save(update_fields=["review_due_at"])
    audit_record(subject=cr, action="change.submit", label="提交需求变更申请", actor=actor, to_state=cr.state)
    return cr


@transaction.atomic
def change_request_review(*, change: ChangeRequest, actor, approved: bool, answer: str) -> ChangeRequest:
    """The PM records the customer's 初审 answer."""
    cr = _locked(change)
    task = step_for(cr, "change.review", actor)
    answer = require_text(answer, "请填写用户方初审意见")
    before, now = cr.state, timezone.now()
    task_close(task=task, actor=actor, outcome="approve" if approved else "reject")
    if approved:
        cr.review_pass(at=now, answer=answer)
    else:
        cr.review_reject(at=now, answer=answer)
    cr.save(update_fields=["state", "reviewed_at", "customer_answer", "closed_at"])
    late = bool(cr.review_due_at and now > cr.review_due_at)
    _audit(cr, "change.review", "用户方初审", actor, before, comment=answer, details={"late": late})
    if approved:
        chain_advance(cr)
    else:
        notify(
            recipients=[cr.submitted_by],
            title=f"需求变更未通过用户方初审：{cr.title}",
            body=answer,
            link=cr.get_absolute_url(),
            subject=cr,
            kind="change_rejected",
        )
    return cr


@transaction.atomic
def change_request_evaluate(
    *,
    change: ChangeRequest,
    actor,
    impact: str,
    person_days: Decimal,
    size: str,
    needs_meeting: bool,
    planned_date: date,
) -> ChangeRequest:
    """The PM's evaluation: impact, workload, size (who sets the date) and whether to meet."""
    cr = _locked(change)
    task = step_for(cr, "change.evaluate", actor)
    if size not in ChangeRequest.Size.values:
        raise DomainError("请选择工作量规模")
    if person_days is None or person_days <= 0:
        raise DomainError("工作量（人天）必须大于 0")
    if planned_date is None or planned_date < timezone.localdate():
        raise DomainError("实施完成日期不能早于今天")
    before = cr.state
    cr.impact = require_text(impact, "请填写对当前系统的影响")
    cr.person_days, cr.size, cr.needs_meeting, cr.planned_date = person_days, size, needs_meeting, planned_date
    task_close(task=task, actor=actor, outcome="estimated")
    if needs_meeting:
        cr.evaluate_with_meeting()
    else:
        cr.start_work()
    cr.save(update_fields=["impact", "person_days", "size", "needs_meeting", "planned_date", "state"])
    _audit(cr, "change.evaluate", "评估需求变更", actor, before, details={"person_days": str(person_days)})
    chain_advance(cr)  # 需求讨论 when a meeting is needed, else 需求组长实施
    return cr


@transaction.atomic
def change_request_discuss(*, change: ChangeRequest, actor, minutes: str) -> ChangeRequest:
    cr = _locked(change)
    task = step_for(cr, "change.discuss", actor)
    before = cr.state
    cr.minutes = require_text(minutes, "请填写需求讨论纪要")
    task_close(task=task, actor=actor, outcome="done")
    cr.start_work()
    cr.save(update_fields=["minutes", "state"])
    _audit(cr, "change.discuss", "记录需求讨论纪要", actor, before)
    chain_advance(cr)
    return cr


@transaction.atomic
def change_request_work_done(*, change: ChangeRequest, actor, design_note: str) -> ChangeRequest:
    """需求组长: design and implementation done, handed to 质量人员."""
    cr = _locked(change)
    task = step_for(cr, "change.work", actor)
    before = cr.state
    cr.design_note = require_text(design_note, "请填写设计与实施说明")
    cr.lead = actor
    task_close(task=task, actor=actor, outcome="finish")
    cr.submit_for_verification()
    cr.save(update_fields=["design_note", "lead", "state"])
    _audit(cr, "change.work_done", "完成设计与实施", actor, before)
    chain_advance(cr)  # 质量验证, never by the 需求组长 who did the work
    return cr


@transaction.atomic
def change_request_verify(*, change: ChangeRequest, actor, passed: bool, note: str) -> ChangeRequest:
    cr = _locked(change)
    task = step_for(cr, "change.verify", actor)
    before = cr.state
    cr.verify_note = require_text(note, "请填写质量验证结论")
    cr.quality = actor
    task_close(task=task, actor=actor, outcome="approve" if passed else "return")
    if passed and chain_countersigned(cr, chain_current(cr), actor, cr.verify_note):
        cr.save(update_fields=["verify_note", "quality"])
        return cr  # 会签 / 加签: the step moves on when everyone it waits on has approved
    if not passed:
        chain_step_end(cr, task.step, actor)
    if passed:
        cr.verification_pass()
    else:
        cr.verification_fail()
    cr.save(update_fields=["verify_note", "quality", "state"])
    _audit(cr, "change.verify", "质量验证", actor, before, comment=cr.verify_note, details={"passed": passed})
    chain_advance(cr, label_suffix="" if passed else "（质量验证未通过）")
    return cr


@transaction.atomic
def change_request_delay_notice(*, change: ChangeRequest, actor, reason: str, new_date: date) -> ChangeRequest:
    """The PM records that the customer was told the planned date cannot be met, and the new date."""
    cr = _locked(change)
    if not can_manage(actor, cr.project):
        raise PermissionDenied("只有项目经理可以登记延期告知")
    if cr.state not in OPEN_WORK:
        raise DomainError("只有实施中的需求变更可以登记延期")
    if new_date is None or cr.planned_date is None or new_date <= cr.planned_date:
        raise DomainError("新的完成日期必须晚于原定日期")
    old = cr.planned_date
    cr.delay_reason = require_text(reason, "请填写延期原因")
    cr.delay_notified_at, cr.planned_date = timezone.now(), new_date
    cr.save(update_fields=["delay_reason", "delay_notified_at", "planned_date"])
    audit_record(
        subject=cr, action="change.delay", label="告知客户延期", actor=actor, comment=cr.delay_reason,
        details={"from": old.isoformat(), "to": new_date.isoformat(), "late": timezone.now() > notice_due(old)},
    )  # fmt: skip
    return cr


def notice_due(planned: date) -> datetime:
    """The moment the customer must be told, at the latest, that `planned` cannot be met: one
    working day (the policy) before the start of that day's working time."""
    policy = SlaPolicy.objects.get(code=DELAY_NOTICE_POLICY)
    start = datetime.combine(
        planned, time.fromisoformat(settings.PMIS_WORKDAY_START), tzinfo=ZoneInfo(settings.TIME_ZONE)
    )
    return subtract_duration(start, policy.duration, policy.clock)


def change_deadline_reminders(*, now: datetime | None = None) -> int:
    """Remind the PM of each change still in work whose planned date is one working day away:
    if it cannot be met, the customer must be told now. Once per change and planned date."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    changes = ChangeRequest.objects.filter(state__in=OPEN_WORK, planned_date__gte=today).select_related(
        "project", "project__pm"
    )
    with transaction.atomic():
        for cr in changes.filter(planned_date__lte=today + (notice_window_days())):
            if now < notice_due(cr.planned_date) or cr.project.pm is None:
                continue
            sent += len(
                notify_once(
                    job=REMINDER_JOB,
                    period=cr.planned_date.isoformat(),
                    recipients=[cr.project.pm],
                    subject=cr,
                    title=f"需求变更将于 {cr.planned_date:%Y-%m-%d} 到期：{cr.title}",
                    body="若无法按期完成，须提前 1 个工作日告知客户方，并在需求变更页登记延期原因与新的完成日期。",
                    link=cr.get_absolute_url(),
                    kind="change_deadline",
                )
            )
    return sent


def notice_window_days():
    """How far ahead to look: the policy's duration in calendar days, plus a long holiday."""
    from datetime import timedelta

    policy = SlaPolicy.objects.get(code=DELAY_NOTICE_POLICY)
    return timedelta(days=policy.duration_minutes // (8 * 60) + 12)
