"""notify_once: what a scheduled job sends is recorded per job, period, recipient and subject."""

import pytest

from pmis.notify.models import Notification, ScheduledSend
from pmis.notify.services import notify_once

pytestmark = pytest.mark.django_db


def _send(demo, period="2026-11-23", recipients=None):
    return notify_once(
        job="weekly_report_reminder",
        period=period,
        recipients=recipients or [demo["regional_pm"]],
        subject=demo["regional_pm"].department or demo["sales"],
        title="请填写本周项目周报",
        kind="weekly_reminder",
    )


def test_a_second_send_for_the_same_period_sends_nothing(demo):
    assert len(_send(demo)) == 1
    assert _send(demo) == []
    assert Notification.objects.count() == 1 and ScheduledSend.objects.count() == 1


def test_a_new_period_or_a_new_recipient_is_sent(demo):
    _send(demo)
    assert [n.recipient for n in _send(demo, recipients=[demo["regional_pm"], demo["regional_pm_south"]])] == [
        demo["regional_pm_south"]
    ]
    assert len(_send(demo, period="2026-11-30")) == 1
    assert Notification.objects.count() == 3
