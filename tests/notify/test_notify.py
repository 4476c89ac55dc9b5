import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from pmis.notify import services
from pmis.notify.models import Notification
from pmis.notify.services import notification_deliver, notifications_resend, notify

pytestmark = pytest.mark.django_db


def _notify(demo, **kw):
    return notify(recipients=[demo["sales"]], title="实施登记已通过商务审批", body="请关注立项进度", link="/r/1/", **kw)


def test_written_in_the_callers_transaction(demo):
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(demo)
        raise RuntimeError("the change that caused it failed")
    assert not Notification.objects.exists()


def test_queued_only_after_commit(demo, django_capture_on_commit_callbacks):
    with (
        mock.patch("pmis.notify.tasks.deliver_notification.apply_async") as publish,
        django_capture_on_commit_callbacks(execute=True),
    ):
        (note,) = _notify(demo)
        assert publish.call_count == 0
    publish.assert_called_once_with((note.pk,), retry=False)


@pytest.fixture
def broker_down():
    """Point Celery's publishing connection at a closed port: a real refused connection."""
    from pmis.celery import app

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_write_url = "redis://127.0.0.1:1/0"
    reset_pools()
    yield
    app.conf.broker_write_url = None
    reset_pools()


def test_a_broker_outage_delays_the_email_but_never_loses_it(
    demo, django_capture_on_commit_callbacks, time_machine, broker_down, caplog
):
    from django.utils import timezone

    with django_capture_on_commit_callbacks(execute=True):
        (note,) = _notify(demo)
    assert "暂未投递到队列" in caplog.text and "Connection refused" in caplog.text
    note.refresh_from_db()
    assert note.email_state == Notification.EmailState.PENDING
    assert mail.outbox == []
    # The in-app copy is there already.
    assert Notification.objects.filter(recipient=demo["sales"], read_at__isnull=True).count() == 1

    assert notifications_resend() == 0  # too fresh: its own queue message may still be coming
    time_machine.move_to(timezone.now() + timedelta(minutes=2))
    assert notifications_resend() == 1
    note.refresh_from_db()
    assert note.email_state == Notification.EmailState.SENT
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [demo["sales"].email]
    assert "实施登记已通过商务审批" in mail.outbox[0].subject and "/r/1/" in mail.outbox[0].body
    assert notifications_resend() == 0  # and only once


def test_publish_reaches_the_real_redis_broker(demo, django_capture_on_commit_callbacks):
    from pmis.celery import app

    with app.connection_for_write() as conn:
        channel = conn.default_channel
        channel.queue_purge("celery")
        with django_capture_on_commit_callbacks(execute=True):
            _notify(demo)
        assert channel.client.llen("celery") == 1
        channel.queue_purge("celery")


def test_delivering_twice_sends_one_email(demo):
    (note,) = _notify(demo)
    assert notification_deliver(notification_id=note.pk) == "sent"
    assert notification_deliver(notification_id=note.pk) == "skipped"
    assert len(mail.outbox) == 1


def test_a_failed_send_is_recorded_and_retried_until_it_gives_up(demo):
    (note,) = _notify(demo)
    with mock.patch.object(services, "send_mail", side_effect=smtplib.SMTPServerDisconnected("gone")):
        for _ in range(services.MAX_EMAIL_ATTEMPTS - 1):
            with pytest.raises(smtplib.SMTPServerDisconnected):
                notification_deliver(notification_id=note.pk)
            note.refresh_from_db()
            assert note.email_state == Notification.EmailState.PENDING and "gone" in note.email_error
        with pytest.raises(smtplib.SMTPServerDisconnected):
            notification_deliver(notification_id=note.pk)
    note.refresh_from_db()
    assert note.email_state == Notification.EmailState.FAILED
    assert note.email_attempts == services.MAX_EMAIL_ATTEMPTS


def test_celery_task_retries_with_backoff():
    from pmis.notify.tasks import deliver_notification

    assert deliver_notification.autoretry_for == (Exception,)
    assert deliver_notification.retry_backoff and deliver_notification.max_retries >= 5


def test_users_without_email_get_the_in_app_copy_only(demo):
    demo["sales"].email = ""
    demo["sales"].save()
    (note,) = _notify(demo)
    assert note.email_state == Notification.EmailState.SKIPPED


def test_bell_shows_unread_count_and_the_list_opens_the_record(client, demo):
    _notify(demo)
    notify(recipients=[demo["sales"]], title="第二条", link="/r/2/")
    client.force_login(demo["sales"])
    home = client.get(reverse("home")).content.decode()
    assert 'data-badge="notifications">2<' in home
    listing = client.get(reverse("notify:list")).content.decode()
    assert "实施登记已通过商务审批" in listing and "第二条" in listing

    note = Notification.objects.get(title="第二条")
    response = client.post(reverse("notify:open", args=[note.pk]))
    assert response.status_code == 302 and response["Location"] == "/r/2/"
    assert 'data-badge="notifications">1<' in client.get(reverse("home")).content.decode()

    client.post(reverse("notify:read_all"))
    assert 'data-badge="notifications"' not in client.get(reverse("home")).content.decode()


def test_nobody_opens_another_persons_notification(client, demo):
    (note,) = _notify(demo)
    client.force_login(demo["sales2"])
    assert client.post(reverse("notify:open", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None
