"""The SLA sweep records each warning and escalation for the deadline it is about: a run that
finds a task again (a redelivered job, a restored row) sends nothing twice; two sweeps at once
send once."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from approvals.models import Task
from approvals.services import task_open, tasks_sweep
from pmis.audit.models import AuditEntry
from pmis.notify.models import Notification, ScheduledSend
from tests.helpers import run_at_once

SH = ZoneInfo("Asia/Shanghai")


def _open(subject):
    return task_open(
        subject=subject, step="s", step_label="商务审批", title="乙公司SAAS项目立项申请", link="/r/2/",
        group="business_approver", escalate_to="aftersales_manager",
    )  # fmt: skip


@pytest.mark.django_db
def test_a_warning_already_sent_for_this_deadline_is_not_sent_again(demo, subject, policies, time_machine):
    time_machine.move_to(datetime(2026, 6, 1, 9, 0, tzinfo=SH))
    task = _open(subject)
    time_machine.move_to(datetime(2026, 6, 1, 15, 50, tzinfo=SH))
    assert tasks_sweep()["warned"] == 1
    Task.objects.filter(pk=task.pk).update(warned_at=None)  # the task's own marker lost
    tasks_sweep()
    assert Notification.objects.filter(kind="sla_warning").count() == 1
    sent = ScheduledSend.objects.get(job="sla_warning")
    assert sent.period == "2026-06-01T15:45:00+08:00" and sent.subject == task


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_once(demo, subject, policies, time_machine):
    time_machine.move_to(datetime(2026, 6, 1, 9, 0, tzinfo=SH))
    for _ in range(5):
        _open(subject)
    time_machine.move_to(datetime(2026, 6, 2, 10, 0, tzinfo=SH))
    totals = [counts["escalated"] for counts in run_at_once(lambda: tasks_sweep(batch=2))]
    # five tasks, each escalated once (one audit row, one ledger row); the business approver and the
    # after-sales manager each told once by every sweep that escalated any, in one digest
    assert sum(totals) == 5
    escalated = AuditEntry.objects.filter(action="task.escalate").values_list("object_id", flat=True)
    assert sorted(escalated) == sorted(Task.objects.values_list("pk", flat=True))
    assert ScheduledSend.objects.filter(job="sla_escalation", recipient=None).count() == 5
    for person in ("business_approver", "aftersales_manager"):
        told = Notification.objects.filter(kind="sla_escalation", recipient=demo[person])
        assert told.count() == sum(1 for n in totals if n)
