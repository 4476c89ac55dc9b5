from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from approvals.errors import DomainError
from approvals.selectors import open_tasks_for
from operations import services
from operations.models import DutyRoster, DutyShift, Incident
from pmis.audit.models import AuditEntry
from pmis.documents.models import Attachment
from pmis.notify.models import Notification
from pmis.worktime.models import SlaPolicy
from tests.helpers import run_at_once

from .conftest import at

pytestmark = pytest.mark.django_db
REPORTED = at(2026, 6, 1, 10, 0)


def _report(project, actor, **extra):
    data = {
        "title": "签章服务无法访问",
        "reporter": "信息科张工",
        "channel": Incident.Channel.PHONE,
        "symptoms": "所有科室签章超时",
        "level": Incident.Level.THIRD,
        **extra,
    }
    return services.incident_report(project=project, actor=actor, data=data)


def _told(incident, username, kind):
    return Notification.objects.filter(
        recipient__username=username, kind=kind, object_id=incident.pk, content_type__model="incident"
    ).count()


def _steps(incident):
    return sorted(open_tasks_for(incident).values_list("step", flat=True))


def test_an_incident_from_report_through_recovery_to_its_archived_report(org, live, time_machine):
    time_machine.move_to(REPORTED, tick=False)
    pm, emergency = org["regional_pm"], org["emergency"]
    incident = _report(live, org["implementer"])
    assert incident.state == Incident.State.HANDLING and incident.handler == pm
    assert incident.escalate_due_at == at(2026, 6, 1, 10, 10)
    assert _steps(incident) == ["incident.handle"]
    assert _told(incident, "regional_pm", "task_opened") == 1

    time_machine.move_to(at(2026, 6, 1, 10, 5), tick=False)
    incident = services.incident_recover(incident=incident, actor=pm, note="重启签章服务后恢复")
    assert incident.state == Incident.State.RECOVERED and incident.time_to_recover == timedelta(minutes=5)
    assert _steps(incident) == ["incident.report"]
    assert services.incidents_sweep(now=at(2026, 6, 1, 10, 30)) == {"escalated": 0, "proposed": 0}

    incident = services.incident_report_submit(
        incident=incident,
        actor=pm,
        cause="证书过期",
        fix="更新证书",
        process="定位日志后更新证书并重启",
        prevention="证书到期前 30 天提醒",
    )
    assert incident.state == Incident.State.REPORT_REVIEW
    review = open_tasks_for(incident).get()
    assert (review.step, review.group.name) == ("incident.review", "emergency_team")
    incident = services.incident_report_review(incident=incident, actor=emergency, approve=True)
    assert incident.state == Incident.State.ARCHIVED and _steps(incident) == []
    report = Attachment.objects.get(object_id=incident.pk, content_type__model="incident")
    assert (report.doc_type.code, report.original_name) == ("incident-report", f"事故报告-{incident.number}.pdf")
    assert report.file.read().startswith(b"%PDF")
    actions = list(
        AuditEntry.objects.filter(object_id=incident.pk, content_type__model="incident").values_list(
            "action", flat=True
        )
    )
    assert actions.count("incident.archive") == 1 and actions.count("incident.report_submit") == 1


def test_unsolved_after_ten_minutes_the_emergency_group_is_told_once(org, live, time_machine):
    time_machine.move_to(REPORTED, tick=False)
    incident = _report(live, org["regional_pm"])
    assert services.incidents_sweep(now=at(2026, 6, 1, 10, 9, 59))["escalated"] == 0
    assert services.incidents_sweep(now=at(2026, 6, 1, 10, 10))["escalated"] == 1
    assert services.incidents_sweep(now=at(2026, 6, 1, 10, 11))["escalated"] == 0
    incident.refresh_from_db()
    assert incident.state == Incident.State.ESCALATED and incident.escalated_at == at(2026, 6, 1, 10, 10)
    assert _steps(incident) == ["incident.coordinate"]
    assert _told(incident, "emergency", "task_opened") == 1
    assert _told(incident, "regional_pm", "incident_escalated") == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_tell_the_emergency_group_once(org, live, time_machine):
    time_machine.move_to(REPORTED, tick=False)
    incidents = [_report(live, org["regional_pm"]) for _ in range(5)]
    totals = run_at_once(lambda: services.incidents_sweep(now=at(2026, 6, 1, 10, 10, 30)))
    assert sum(t["escalated"] for t in totals) == 5
    for incident in incidents:
        assert _told(incident, "emergency", "task_opened") == 1
        assert _steps(incident) == ["incident.coordinate"]


@pytest.mark.django_db(transaction=True)
def test_the_countdown_and_the_sweep_at_once_escalate_once(org, live, time_machine):
    time_machine.move_to(REPORTED, tick=False)
    incident = _report(live, org["regional_pm"])
    due = at(2026, 6, 1, 10, 10)
    calls = iter(
        [
            lambda: services.incident_escalate_due(incident_id=incident.pk, now=due),
            lambda: services.incidents_sweep(now=due),
        ]
    )
    run_at_once(lambda: next(calls)())
    assert _told(incident, "emergency", "task_opened") == 1
    assert AuditEntry.objects.filter(object_id=incident.pk, action="incident.escalate").count() == 1


def test_the_escalation_fires_within_a_minute_of_its_due_time(
    org, live, time_machine, django_capture_on_commit_callbacks
):
    """Two ways: a countdown task queued for the due moment, and the sweep's beat every minute."""
    time_machine.move_to(REPORTED, tick=False)
    with (
        mock.patch("operations.tasks.incident_escalate_due_task.apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        incident = _report(live, org["regional_pm"])
    queued.assert_called_once_with(args=[incident.pk], eta=at(2026, 6, 1, 10, 10))
    assert services.incident_escalate_due(incident_id=incident.pk, now=at(2026, 6, 1, 10, 9)) is False
    assert services.incident_escalate_due(incident_id=incident.pk, now=at(2026, 6, 1, 10, 10)) is True
    assert services.incident_escalate_due(incident_id=incident.pk, now=at(2026, 6, 1, 10, 10, 5)) is False

    from django_celery_beat.models import PeriodicTask

    call_command("setup_schedules", stdout=StringIO())
    beat = PeriodicTask.objects.get(task="operations.incidents_sweep")
    assert (beat.interval.every, beat.interval.period) == (1, "minutes")


def test_the_escalation_time_is_a_policy(org, live, time_machine):
    SlaPolicy.objects.filter(code="incident-escalation").update(duration_minutes=15)
    time_machine.move_to(REPORTED, tick=False)
    assert _report(live, org["regional_pm"]).escalate_due_at == at(2026, 6, 1, 10, 15)


def test_the_outage_clock_proposes_raising_the_level_at_20_and_60_minutes(org, live, time_machine):
    time_machine.move_to(REPORTED, tick=False)
    incident = _report(live, org["regional_pm"])
    assert services.level_proposal(incident, at(2026, 6, 1, 10, 19)) == ""
    assert services.level_proposal(incident, at(2026, 6, 1, 10, 20)) == Incident.Level.SECOND
    assert services.level_proposal(incident, at(2026, 6, 1, 11, 0)) == Incident.Level.FIRST

    assert services.incidents_sweep(now=at(2026, 6, 1, 10, 21))["proposed"] == 1
    assert services.incidents_sweep(now=at(2026, 6, 1, 10, 22))["proposed"] == 0
    incident.refresh_from_db()
    assert incident.proposed_level == Incident.Level.SECOND
    assert _told(incident, "emergency", "incident_level") == 1
    incident = services.incident_set_level(incident=incident, actor=org["regional_pm"], level=Incident.Level.SECOND)
    assert (incident.level, incident.proposed_level) == (Incident.Level.SECOND, "")
    assert services.incidents_sweep(now=at(2026, 6, 1, 10, 40))["proposed"] == 0
    assert services.incidents_sweep(now=at(2026, 6, 1, 11, 1))["proposed"] == 1
    incident.refresh_from_db()
    assert incident.proposed_level == Incident.Level.FIRST


def test_an_outage_that_began_before_the_report_counts_from_its_start(org, live, time_machine):
    time_machine.move_to(REPORTED, tick=False)
    incident = _report(live, org["regional_pm"], outage_started_at=at(2026, 6, 1, 8, 55))
    assert services.level_proposal(incident, REPORTED) == Incident.Level.FIRST


def test_a_first_level_incident_is_not_proposed_lower(org, live, time_machine):
    time_machine.move_to(REPORTED, tick=False)
    incident = _report(live, org["regional_pm"], level=Incident.Level.FIRST)
    assert services.level_proposal(incident, at(2026, 6, 1, 12, 0)) == ""


def test_refusals(org, live, time_machine):
    time_machine.move_to(REPORTED, tick=False)
    with pytest.raises(PermissionDenied):
        _report(live, org["sales"])
    with pytest.raises(DomainError, match="报告时间不能晚于当前时间"):
        _report(live, org["regional_pm"], reported_at=at(2026, 6, 1, 11, 0))
    incident = _report(live, org["regional_pm"])
    with pytest.raises(DomainError, match="恢复后才能提交事故报告"):
        services.incident_report_submit(
            incident=incident, actor=org["regional_pm"], cause="a", fix="b", process="c", prevention="d"
        )
    with pytest.raises(DomainError, match="请填写恢复说明"):
        services.incident_recover(incident=incident, actor=org["regional_pm"], note=" ")
    incident = services.incident_recover(incident=incident, actor=org["regional_pm"], note="已恢复")
    with pytest.raises(DomainError, match="预防措施"):
        services.incident_report_submit(
            incident=incident, actor=org["regional_pm"], cause="a", fix="b", process="c", prevention=""
        )
    incident = services.incident_report_submit(
        incident=incident, actor=org["regional_pm"], cause="a", fix="b", process="c", prevention="d"
    )
    with pytest.raises(PermissionDenied):
        services.incident_report_review(incident=incident, actor=org["regional_pm"], approve=True)
    with pytest.raises(DomainError, match="退回事故报告须说明"):
        services.incident_report_review(incident=incident, actor=org["emergency"], approve=False)
    incident = services.incident_report_review(
        incident=incident, actor=org["emergency"], approve=False, comment="补充根因"
    )
    assert incident.state == Incident.State.RECOVERED
    task = open_tasks_for(incident).get()
    assert (task.step, task.assignee) == ("incident.report", org["regional_pm"])


def test_on_a_rostered_holiday_the_incident_goes_to_the_person_on_duty(org, live, time_machine):
    time_machine.move_to(at(2026, 10, 2, 21, 0), tick=False)
    roster = DutyRoster.objects.create(
        holiday="国庆节",
        year=2026,
        first_day=at(2026, 10, 1, 0, 0).date(),
        last_day=at(2026, 10, 7, 0, 0).date(),
        created_by=org["emergency"],
    )
    DutyShift.objects.create(roster=roster, day=at(2026, 10, 2, 0, 0).date(), user=org["aftersales"])
    incident = _report(live, org["implementer"])
    assert incident.handler == org["aftersales"]
    assert open_tasks_for(incident).get().assignee == org["aftersales"]
    assert _told(incident, "regional_pm", "incident_reported") == 1


def test_an_integration_or_vendor_cause_goes_to_the_emergency_group_at_once(org, live, time_machine):
    time_machine.move_to(REPORTED, tick=False)
    incident = _report(live, org["regional_pm"])
    with pytest.raises(PermissionDenied):
        services.incident_vendor_cause(incident=incident, actor=org["implementer"])
    incident = services.incident_vendor_cause(incident=incident, actor=org["regional_pm"])
    assert incident.state == Incident.State.ESCALATED and incident.vendor_cause
    assert _steps(incident) == ["incident.coordinate"]
    assert services.incidents_sweep(now=at(2026, 6, 1, 10, 11))["escalated"] == 0
    assert _told(incident, "emergency", "task_opened") == 1
    with pytest.raises(DomainError, match="只有处理中的事件"):
        services.incident_vendor_cause(incident=incident, actor=org["regional_pm"])
