from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from approvals.models import Task
from approvals.services import task_close, task_open, tasks_sweep
from pmis.audit.models import AuditEntry
from pmis.notify.models import Notification
from tests.helpers import run_at_once

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MONDAY_9 = datetime(2026, 6, 1, 9, 0, tzinfo=SH)


def _open(subject, **kwargs):
    return task_open(
        subject=subject, step="s", step_label="商务审批", title="乙公司SAAS项目立项申请", link="/r/2/", **kwargs
    )


def _kinds(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_warns_at_75_percent_and_escalates_at_breach_each_once(demo, subject, policies, time_machine):
    time_machine.move_to(MONDAY_9)
    task = _open(subject, group="business_approver", escalate_to="aftersales_manager")
    # one working day: due 18:00, warning at 75 % = 15:45
    assert task.due_at == datetime(2026, 6, 1, 18, 0, tzinfo=SH)
    assert task.warn_at == datetime(2026, 6, 1, 15, 45, tzinfo=SH)

    time_machine.move_to(datetime(2026, 6, 1, 15, 0, tzinfo=SH))
    assert tasks_sweep() == {"escalated": 0, "warned": 0}

    time_machine.move_to(datetime(2026, 6, 1, 15, 50, tzinfo=SH))
    assert tasks_sweep() == {"escalated": 0, "warned": 1}
    assert tasks_sweep() == {"escalated": 0, "warned": 0}
    assert _kinds("sla_warning") == ["business_approver"]

    time_machine.move_to(datetime(2026, 6, 2, 9, 1, tzinfo=SH))
    assert tasks_sweep() == {"escalated": 1, "warned": 0}
    assert tasks_sweep() == {"escalated": 0, "warned": 0}
    assert _kinds("sla_escalation") == ["aftersales_manager", "business_approver"]
    assert _kinds("sla_warning") == ["business_approver"]


def test_a_task_found_past_due_is_escalated_without_a_late_warning(demo, subject, policies, time_machine):
    time_machine.move_to(MONDAY_9)
    _open(subject, group="business_approver")
    time_machine.move_to(datetime(2026, 6, 3, 10, 0, tzinfo=SH))
    assert tasks_sweep() == {"escalated": 1, "warned": 0}
    assert _kinds("sla_warning") == []
    assert _kinds("sla_escalation") == ["business_approver"]


def test_closed_tasks_are_left_alone(demo, subject, policies, time_machine):
    time_machine.move_to(MONDAY_9)
    task = _open(subject, group="business_approver")
    task_close(task=task, actor=demo["business_approver"], outcome="approved")
    time_machine.move_to(datetime(2026, 6, 3, 10, 0, tzinfo=SH))
    assert tasks_sweep() == {"escalated": 0, "warned": 0}


def test_sweep_handles_more_than_one_batch(demo, subject, policies, time_machine):
    time_machine.move_to(MONDAY_9)
    for _ in range(5):
        _open(subject, group="business_approver", notify_waiting=False)
    time_machine.move_to(datetime(2026, 6, 1, 16, 0, tzinfo=SH))
    assert tasks_sweep(batch=2) == {"escalated": 0, "warned": 5}


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_warn_each_task_once(demo, subject, policies, time_machine):
    time_machine.move_to(MONDAY_9)
    for _ in range(30):
        _open(subject, group="business_approver", notify_waiting=False)
    time_machine.move_to(datetime(2026, 6, 1, 16, 0, tzinfo=SH))
    totals = [counts["warned"] for counts in run_at_once(lambda: tasks_sweep(batch=3))]
    assert sum(totals) == 30
    assert not Task.objects.filter(warned_at__isnull=True).exists()
    # each task warned once (one audit row each), and the approver told once by each sweep that found work
    warned = AuditEntry.objects.filter(action="task.warn").values_list("object_id", flat=True)
    assert sorted(warned) == sorted(Task.objects.values_list("pk", flat=True))
    digests = Notification.objects.filter(kind="sla_warning")
    assert digests.count() == sum(1 for n in totals if n)
    assert sorted(int(n.title.split()[1]) for n in digests if n.title.startswith("您有")) == sorted(
        n for n in totals if n > 1
    )


def test_the_sweep_selects_through_the_partial_indexes(db):
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from approvals.services import sweep_candidates

    # Open tasks already warned and escalated sit in the other open-task indexes but not in the two
    # partial ones, so the planner's choice does not hang on whatever statistics earlier tests left.
    group, now = Group.objects.create(name="sweep-plan"), timezone.now()
    handled = {"warn_at": now, "due_at": now, "warned_at": now, "escalated_at": now}
    Task.objects.bulk_create(
        Task(
            content_type=ContentType.objects.get_for_model(Group), object_id=i, step="s", step_label="s",
            title="t", link="/", group=group, **handled,
        )
        for i in range(500)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE approvals_task")
        cursor.execute("SET LOCAL enable_seqscan = off")  # tiny tables: make the planner show its index
    for due_field, done_field, index in (
        ("warn_at", "warned_at", "task_to_warn"),
        ("due_at", "escalated_at", "task_to_escalate"),
    ):
        plan = sweep_candidates(now=timezone.now(), due_field=due_field, done_field=done_field)[:200].explain()
        assert index in plan, plan


def test_setup_schedules_creates_the_beat_entries_once(db):
    from django_celery_beat.models import PeriodicTask

    from pmis.celery import app

    call_command("setup_schedules", stdout=StringIO())
    call_command("setup_schedules", stdout=StringIO())
    tasks = dict(PeriodicTask.objects.values_list("task", "interval__every"))
    assert tasks == {
        "approvals.sla_sweep": 1, "aftersales.tickets_breach_mark": 1,
        "notify.resend_pending": 1, "projects.weekly_report_reminders": None,
        "operations.incidents_sweep": 1, "operations.inspections_open": None,
        "success.licence_reminders": None, "approvals.delegations_announce": 10,
        "changes.deadline_reminders": 15, "changes.monthly_bug_lists": None,
        "api.resend_webhooks": 1, "planning.plan_late_notify": None, "planning.risk_reviews_due": None,
        "dashboards.cards_refresh": 1,
    }  # fmt: skip
    weekly = PeriodicTask.objects.get(task="projects.weekly_report_reminders").crontab
    assert (weekly.day_of_week, weekly.hour, weekly.minute) == ("1", "10", "0")
    app.loader.import_default_modules()
    assert set(tasks) | {"notify.deliver"} <= set(app.tasks)
