"""突发事件 / 故障 (004 §8.1.3; 003 突发事件管理规范).

The report goes at once to the PM (or, on a rostered holiday day, to the person on duty), who
organises the analysis. Not solved within the escalation policy (10 minutes) → the 应急小组 is
told and coordinates. The escalation fires within a minute of its due time twice over: a countdown
task queued for the due moment when the incident is reported, and the minute beat of
`operations.incidents_sweep` (setup_schedules) in case the countdown is lost; either takes the row
lock and re-checks the state, so the group is told once. As the outage clock passes the level
policies (20 and 60 minutes) the system proposes raising the level (一级/二级/三级 by 004's
definitions). Service first; then a 事故报告 (cause, fix, how, prevention), reviewed by the 应急小组
and archived."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from approvals.errors import DomainError
from approvals.selectors import open_tasks_for
from approvals.services import next_number, task_close, task_open
from pmis.audit.services import audit_record
from pmis.notify.services import notify, notify_once
from pmis.worktime.calendar import add_duration
from pmis.worktime.models import SlaPolicy
from projects.models import Project

from ..documents import incident_report_file
from ..models import Incident
from .common import EMERGENCY_TEAM, emergency_members, is_emergency_team, require_work
from .duty import on_duty

ESCALATION_POLICY = "incident-escalation"
LEVEL_POLICIES = ((Incident.Level.FIRST, "incident-level-1"), (Incident.Level.SECOND, "incident-level-2"))
# a lower number is a more serious level
SERIOUSNESS = {Incident.Level.FIRST: 1, Incident.Level.SECOND: 2, Incident.Level.THIRD: 3, "": 9}


def _locked(incident: Incident) -> Incident:
    return Incident.objects.select_for_update(of=("self",)).select_related("project", "handler").get(pk=incident.pk)


def _step(incident: Incident, *, step: str, label: str, policy: str | None, group: str | None = None, assignee=None):
    """Every waiting step of an incident opens here."""
    return task_open(
        subject=incident,
        step=step,
        step_label=label,
        title=f"{incident.number} {incident.title}（{incident.project.name}）",
        link=incident.get_absolute_url(),
        group=group,
        assignee=assignee,
        policy=policy,
    )


def _close_steps(incident: Incident, actor, outcome: str, *steps: str) -> None:
    for task in open_tasks_for(incident).filter(step__in=steps):
        task_close(task=task, actor=actor, outcome=outcome)


def level_proposal(incident: Incident, now: datetime) -> str:
    """The level the outage clock calls for, if more serious than the current one; else ''."""
    end = incident.recovered_at or now
    policies = {p.code: p for p in SlaPolicy.objects.filter(code__in=[code for _l, code in LEVEL_POLICIES])}
    for level, code in LEVEL_POLICIES:
        policy = policies.get(code)
        if policy is None:
            continue
        if end >= add_duration(incident.outage_started_at, policy.duration, policy.clock):
            return level if SERIOUSNESS[level] < SERIOUSNESS[incident.level] else ""
    return ""


@transaction.atomic
def incident_report(*, project: Project, actor, data: dict, ticket=None) -> Incident:
    """Record an incident (who reported it, how, when, the symptoms) and hand it to the PM — or to
    the person on duty on a rostered holiday day — at once."""
    require_work(actor, project, "登记突发事件")
    now = timezone.now()
    reported_at = data.get("reported_at") or now
    if reported_at > now:
        raise DomainError("报告时间不能晚于当前时间")
    outage = data.get("outage_started_at") or reported_at
    if outage > now:
        raise DomainError("停止服务开始时间不能晚于当前时间")
    shift = on_duty(now)
    handler = shift.user if shift is not None else (project.pm or actor)
    policy = SlaPolicy.objects.get(code=ESCALATION_POLICY)
    incident = Incident.objects.create(
        number=next_number("SJ"),
        project=project,
        ticket=ticket,
        title=data["title"],
        reporter=data["reporter"],
        channel=data["channel"],
        reported_at=reported_at,
        outage_started_at=outage,
        symptoms=data["symptoms"],
        level=data.get("level") or Incident.Level.THIRD,
        handler=handler,
        escalate_due_at=add_duration(reported_at, policy.duration, policy.clock),
        created_by=actor,
    )
    audit_record(
        subject=incident,
        action="incident.report",
        label="登记突发事件",
        actor=actor,
        to_state=incident.state,
        details={"handler": handler.pk, "on_duty": shift is not None},
    )
    _step(incident, step="incident.handle", label="处理突发事件", policy=None, assignee=handler)
    people = [project.pm] if project.pm and project.pm != handler else []
    duty_text = f"（长假值班：{shift.roster}）" if shift else ""
    notify(
        recipients=people,
        title=f"突发事件：{incident.number} {incident.title}",
        body=f"{project.name} 发生突发事件，当前处理人 {handler}{duty_text}。"
        f"{timezone.localtime(incident.escalate_due_at):%H:%M} 前未解决将升级应急小组。",
        link=incident.get_absolute_url(),
        subject=incident,
        kind="incident_reported",
    )
    due, pk = incident.escalate_due_at, incident.pk
    transaction.on_commit(lambda: _queue_countdown(pk, due))
    return incident


def _queue_countdown(pk: int, due: datetime) -> None:
    from ..tasks import incident_escalate_due_task

    incident_escalate_due_task.apply_async(args=[pk], eta=due)


def incident_escalate_due(*, incident_id: int, now: datetime | None = None) -> bool:
    """Escalate one incident whose time is up (the countdown task). False if it was solved,
    already escalated, or not yet due."""
    now = now or timezone.now()
    with transaction.atomic():
        incident = (
            Incident.objects.select_for_update(of=("self",)).select_related("project").filter(pk=incident_id).first()
        )
        if incident is None or incident.state != Incident.State.HANDLING or incident.escalate_due_at > now:
            return False
        _escalate(incident, now)
        return True


def incidents_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Run every minute: escalate incidents past their escalation time (rows another sweeper or
    the countdown holds are skipped, and each is escalated once), then propose raising the level
    of unrecovered incidents whose outage clock has passed a level threshold (each proposal once)."""
    now = now or timezone.now()
    counts = {"escalated": 0, "proposed": 0}
    while True:
        with transaction.atomic():
            due = list(
                Incident.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("project")
                .filter(state=Incident.State.HANDLING, escalate_due_at__lte=now)
                .order_by("escalate_due_at")[:100]
            )
            for incident in due:
                _escalate(incident, now)
        counts["escalated"] += len(due)
        if len(due) < 100:
            break
    for incident in Incident.objects.select_related("project", "handler").filter(recovered_at__isnull=True):
        with transaction.atomic():
            counts["proposed"] += _propose_level(incident, now)
    return counts


def _escalate(
    incident: Incident, now: datetime, *, actor=None, label: str = "超过 10 分钟未解决，升级应急小组"
) -> None:
    incident.escalate(at=now)
    incident.save(update_fields=["state", "escalated_at", "vendor_cause"])
    audit_record(
        subject=incident,
        action="incident.escalate",
        label=label,
        actor=actor,
        from_state=Incident.State.HANDLING,
        to_state=incident.state,
    )
    _close_steps(incident, actor, "escalated", "incident.handle")
    _step(incident, step="incident.coordinate", label="应急小组协调处理", policy=None, group=EMERGENCY_TEAM)
    notify(
        recipients=[incident.project.pm, incident.handler],
        title=f"突发事件已升级应急小组：{incident.number} {incident.title}",
        body="超过升级时限仍未解决，已由应急小组协调资源并指挥处理。",
        link=incident.get_absolute_url(),
        subject=incident,
        kind="incident_escalated",
    )


@transaction.atomic
def incident_vendor_cause(*, incident: Incident, actor) -> Incident:
    """The analysis finds an integration or product cause (004 §8.1.3): the 应急小组 contacts the
    integrator or the vendor, so the incident goes to it now rather than after the 10 minutes."""
    incident = _locked(incident)
    _require_leader(incident, actor, "判定集成或厂商原因")
    if incident.state != Incident.State.HANDLING:
        raise DomainError("只有处理中的事件可以转应急小组联系集成商或厂商（已升级的事件已由应急小组协调）")
    incident.vendor_cause = True
    _escalate(incident, timezone.now(), actor=actor, label="判定为集成或厂商原因，转应急小组联系集成商或厂商")
    return incident


def _propose_level(incident: Incident, now: datetime) -> int:
    proposal = level_proposal(incident, now)
    if not proposal or proposal == incident.proposed_level:
        return 0
    label = Incident.Level(proposal).label
    sent = notify_once(
        job="incident_level",
        period=proposal,
        recipients=[incident.project.pm, incident.handler, *emergency_members()],
        subject=incident,
        title=f"建议升级为{label}故障：{incident.number} {incident.title}",
        body=f"停止服务已超过{label}故障的时限（004 §8.1.3），请确认事件级别。",
        link=incident.get_absolute_url(),
        kind="incident_level",
    )
    if not sent:
        return 0
    Incident.objects.filter(pk=incident.pk).update(proposed_level=proposal)
    audit_record(subject=incident, action="incident.propose_level", label=f"系统建议升级为{label}", actor=None)
    return 1


def _require_leader(incident: Incident, actor, what: str) -> None:
    if not (
        actor.is_superuser or actor.pk in (incident.project.pm_id, incident.handler_id) or is_emergency_team(actor)
    ):
        raise PermissionDenied(f"只有项目经理、当前处理人或应急小组可以{what}")


@transaction.atomic
def incident_set_level(*, incident: Incident, actor, level: str, reason: str = "") -> Incident:
    incident = _locked(incident)
    _require_leader(incident, actor, "调整事件级别")
    if level not in Incident.Level.values:
        raise DomainError("请选择一级、二级或三级")
    if incident.state == Incident.State.ARCHIVED:
        raise DomainError("已归档的事件不能再调整级别")
    before = incident.level
    incident.level = level
    if incident.proposed_level and SERIOUSNESS[level] <= SERIOUSNESS[incident.proposed_level]:
        incident.proposed_level = ""
    incident.save(update_fields=["level", "proposed_level"])
    audit_record(
        subject=incident,
        action="incident.level",
        label=f"事件定级：{incident.get_level_display()}",
        actor=actor,
        comment=reason,
        details={"from": before, "to": level},
    )
    return incident


@transaction.atomic
def incident_recover(*, incident: Incident, actor, note: str) -> Incident:
    """Service is back (恢复现网服务为第一优先级): stop the outage clock, then the 事故报告 is due."""
    note = (note or "").strip()
    if not note:
        raise DomainError("请填写恢复说明")
    incident = _locked(incident)
    require_work(actor, incident.project, "确认事件恢复")
    if incident.state not in (Incident.State.HANDLING, Incident.State.ESCALATED):
        raise DomainError(f"事件当前为“{incident.get_state_display()}”，不能确认恢复")
    before = incident.state
    incident.recover(at=timezone.now(), note=note)
    incident.save(update_fields=["state", "recovered_at", "recovery_note"])
    audit_record(
        subject=incident,
        action="incident.recover",
        label="服务已恢复",
        actor=actor,
        from_state=before,
        to_state=incident.state,
        comment=note,
    )
    _close_steps(incident, actor, "resolved", "incident.handle", "incident.coordinate")
    writer = incident.project.pm or incident.handler
    _step(incident, step="incident.report", label="编写事故报告", policy="incident-report", assignee=writer)
    notify(
        recipients=emergency_members(),
        title=f"突发事件已恢复：{incident.number} {incident.title}",
        body=f"恢复说明：{note}",
        link=incident.get_absolute_url(),
        subject=incident,
        kind="incident_recovered",
    )
    return incident


@transaction.atomic
def incident_report_submit(
    *, incident: Incident, actor, cause: str, fix: str, process: str, prevention: str
) -> Incident:
    """The 事故报告 of 004 §8.1.3: cause, fix, how it was solved, and prevention — for the 应急小组."""
    values = {"问题原因": cause, "解决方法": fix, "解决经过": process, "预防措施": prevention}
    missing = [name for name, value in values.items() if not (value or "").strip()]
    if missing:
        raise DomainError(f"事故报告须写明：{'、'.join(missing)}")
    incident = _locked(incident)
    require_work(actor, incident.project, "提交事故报告")
    if incident.state != Incident.State.RECOVERED:
        raise DomainError("事件恢复后才能提交事故报告" if incident.recovered_at is None else "事故报告已提交")
    incident.submit_report(
        by=actor,
        at=timezone.now(),
        cause=cause.strip(),
        fix=fix.strip(),
        process=process.strip(),
        prevention=prevention.strip(),
    )
    incident.save(update_fields=["state", "cause", "fix", "process", "prevention", "report_by", "report_at"])
    audit_record(
        subject=incident,
        action="incident.report_submit",
        label="提交事故报告",
        actor=actor,
        from_state=Incident.State.RECOVERED,
        to_state=incident.state,
    )
    _close_steps(incident, actor, "filed", "incident.report")
    _step(incident, step="incident.review", label="审阅事故报告", policy="incident-review", group=EMERGENCY_TEAM)
    return incident


@transaction.atomic
def incident_report_review(*, incident: Incident, actor, approve: bool, comment: str = "") -> Incident:
    """The 应急小组 archives the report, or returns it with what to change."""
    if not is_emergency_team(actor):
        raise PermissionDenied("只有应急小组可以审阅事故报告")
    comment = (comment or "").strip()
    if not approve and not comment:
        raise DomainError("退回事故报告须说明需要修改的内容")
    incident = _locked(incident)
    if incident.state != Incident.State.REPORT_REVIEW:
        raise DomainError("该事件没有待审阅的事故报告")
    _close_steps(incident, actor, "approve" if approve else "return", "incident.review")
    if approve:
        incident.archive(at=timezone.now())
        incident.save(update_fields=["state", "archived_at"])
        incident_report_file(incident, actor=actor)
        audit_record(
            subject=incident,
            action="incident.archive",
            label="事故报告审阅通过并归档",
            actor=actor,
            from_state=Incident.State.REPORT_REVIEW,
            to_state=incident.state,
            comment=comment,
        )
        notify(
            recipients=[incident.report_by, incident.project.pm],
            title=f"事故报告已归档：{incident.number}",
            body=comment,
            link=incident.get_absolute_url(),
            subject=incident,
            kind="incident_archived",
        )
        return incident
    incident.return_report()
    incident.save(update_fields=["state"])
    audit_record(
        subject=incident,
        action="incident.report_return",
        label="退回事故报告",
        actor=actor,
        from_state=Incident.State.REPORT_REVIEW,
        to_state=incident.state,
        comment=comment,
    )
    _step(
        incident,
        step="incident.report",
        label="修改事故报告",
        policy="incident-report",
        assignee=incident.report_by or incident.project.pm,
    )
    return incident
