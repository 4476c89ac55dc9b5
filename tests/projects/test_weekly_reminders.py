"""The Monday weekly-report reminder is a scheduled job: a second run in the same week (a
redelivered task, a manual run, a second beat) reminds nobody twice, even run concurrently."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pmis.notify.models import Notification, ScheduledSend
from projects import services
from projects.tasks import remind_weekly_reports
from tests.helpers import run_at_once

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=SH)


@pytest.mark.django_db
def test_running_the_job_twice_on_one_monday_reminds_once(org, project, time_machine):
    time_machine.move_to(MONDAY)
    assert remind_weekly_reports() == 1
    assert remind_weekly_reports() == 0  # the same Monday again: nothing new to send
    time_machine.move_to(datetime(2026, 11, 23, 15, 0, tzinfo=SH))
    assert remind_weekly_reports() == 0  # later that day, a manual run
    reminders = Notification.objects.filter(kind="weekly_reminder")
    assert reminders.count() == 1 and reminders.get().recipient == org["regional_pm"]
    sent = ScheduledSend.objects.get()
    assert (sent.job, sent.period, sent.recipient, sent.subject) == (
        "weekly_report_reminder",
        "2026-11-23",
        org["regional_pm"],
        project,
    )
    time_machine.move_to(datetime(2026, 11, 30, 10, 0, tzinfo=SH))  # next week is a new period
    assert remind_weekly_reports() == 1
    assert Notification.objects.filter(kind="weekly_reminder").count() == 2


@pytest.mark.django_db
def test_a_pm_who_changed_gets_the_reminder_for_the_week(org, project, time_machine):
    time_machine.move_to(MONDAY)
    assert services.weekly_report_reminders() == 1
    services.project_team_set(
        project=project, actor=org["project_director"], pm=org["regional_pm_south"], implementers=[]
    )
    assert services.weekly_report_reminders() == 1  # the new PM has not been reminded yet
    assert services.weekly_report_reminders() == 0


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_remind_once(org, project, time_machine):
    time_machine.move_to(MONDAY)
    results = run_at_once(services.weekly_report_reminders, timeout=30)
    assert sorted(results) == [0, 1]
    assert Notification.objects.filter(kind="weekly_reminder").count() == 1
