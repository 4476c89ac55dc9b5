import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import connection, models, transaction
from django.utils import timezone

from pmis.layout import layout_forget

from .models import Notification, ScheduledSend

logger = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 8


@dataclass(frozen=True)
class Message:
    """One notification to write: its own recipient, words and record."""

    recipient: Any
    title: str
    body: str = ""
    link: str = ""
    subject: models.Model | None = None
    kind: str = ""


def notify_many(messages: Iterable[Message]) -> list[Notification]:
    """Write the notifications in the caller's transaction with one INSERT, at most one per
    recipient and message (inactive people are skipped); the e-mail copies are handed to Celery
    only after that transaction commits. Every notification, single or digest, is written here."""
    rows = []
    for message in messages:
        user = message.recipient
        if user is None or not user.is_active:
            continue
        subject = message.subject
        rows.append(
            Notification(
                recipient=user,
                kind=message.kind,
                title=message.title[:200],
                body=message.body,
                link=message.link,
                content_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
                object_id=subject.pk if subject is not None else None,
                email_state=Notification.EmailState.PENDING if user.email else Notification.EmailState.SKIPPED,
            )
        )
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    layout_forget({n.recipient_id for n in created})  # the bell
    pending = [n.pk for n in created if n.email_state == Notification.EmailState.PENDING]
    if pending:
        transaction.on_commit(lambda: publish_deliveries(pending))
    return created


def notify(
    *,
    recipients: Iterable,
    title: str,
    body: str = "",
    link: str = "",
    subject: models.Model | None = None,
    kind: str = "",
) -> list[Notification]:
    """Write one notification per recipient in the caller's transaction; the e-mail copies are
    handed to Celery only after that transaction commits."""
    seen: set[int] = set()
    messages = []
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        messages.append(Message(recipient=user, title=title, body=body, link=link, subject=subject, kind=kind))
    return notify_many(messages)


def notify_once(
    *,
    job: str,
    period: str,
    recipients: Iterable,
    subject: models.Model,
    title: str,
    body: str = "",
    link: str = "",
    kind: str = "",
) -> list[Notification]:
    """For scheduled jobs: notify each recipient at most once per job, period and subject. The
    ledger rows are claimed with one INSERT … ON CONFLICT DO NOTHING in the caller's transaction;
    a concurrent run of the same job waits on the unique key, then finds the rows taken and sends
    nothing."""
    users = {}
    for user in recipients:
        if user is not None and user.is_active:
            users.setdefault(user.pk, user)
    if not users:
        return []
    content_type = ContentType.objects.get_for_model(subject)
    table = connection.ops.quote_name(ScheduledSend._meta.db_table)
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(users))
    params = []
    now = timezone.now()
    for pk in users:
        params += [job, period, pk, content_type.pk, subject.pk, now]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (job, period, recipient_id, content_type_id, object_id, sent_at) "
            f"VALUES {rows} ON CONFLICT DO NOTHING RETURNING recipient_id",
            params,
        )
        claimed = {row[0] for row in cursor.fetchall()}
    fresh = [user for pk, user in users.items() if pk in claimed]
    if not fresh:
        return []
    return notify(recipients=fresh, title=title, body=body, link=link, subject=subject, kind=kind)


def publish_deliveries(ids: list[int]) -> None:
    """Queue e-mail delivery. A broker that is down only delays it: the rows stay pending and the
    periodic sweep delivers them. The first failure stops the loop, so a request pays for at
    most one connection timeout."""
    from .tasks import deliver_notification

    for position, notification_id in enumerate(ids):
        try:
            deliver_notification.apply_async((notification_id,), retry=False)
        except Exception as exc:  # the broker is unreachable; the outbox keeps the rows
            logger.warning("通知 %s 暂未投递到队列（%s），将由补发任务发送", ids[position:], exc)
            return


def notification_deliver(*, notification_id: int) -> str:
    """Send one notification's e-mail if it is still pending. Safe to run twice or concurrently:
    the row is locked, and a locked row is somebody else's to send. A failed send is recorded
    and raised so that Celery retries with backoff."""
    error: Exception | None = None
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, email_state=Notification.EmailState.PENDING)
            .first()
        )
        if notification is None:
            return "skipped"
        notification.email_attempts += 1
        try:
            send_mail(
                subject=f"[PMIS] {notification.title}",
                message=_email_text(notification),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[notification.recipient.email],
            )
        except Exception as exc:
            notification.email_error = str(exc)[:2000]
            if notification.email_attempts >= MAX_EMAIL_ATTEMPTS:
                notification.email_state = Notification.EmailState.FAILED
            notification.save(update_fields=["email_attempts", "email_error", "email_state"])
            error = exc
        else:
            notification.email_state = Notification.EmailState.SENT
            notification.email_sent_at = timezone.now()
            notification.email_error = ""
            notification.save(update_fields=["email_attempts", "email_state", "email_sent_at", "email_error"])
            return "sent"
    raise error


def _email_text(notification: Notification) -> str:
    parts = [f"{notification.recipient}，您好：", "", notification.title]
    if notification.body:
        parts += ["", notification.body]
    if notification.link:
        parts += ["", f"查看：{settings.PMIS_BASE_URL.rstrip('/')}{notification.link}"]
    parts += ["", "—— PMIS 项目管理平台（系统邮件，请勿直接回复）"]
    return "\n".join(parts)


def notifications_resend(*, older_than: timedelta = timedelta(seconds=60), limit: int = 200) -> int:
    """Deliver e-mails still pending after `older_than` (their queue message was lost or never
    published). Returns how many were sent now."""
    cutoff = timezone.now() - older_than
    ids = list(
        Notification.objects.filter(email_state=Notification.EmailState.PENDING, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for notification_id in ids:
        try:
            sent += notification_deliver(notification_id=notification_id) == "sent"
        except Exception as exc:
            logger.warning("通知 %s 邮件发送失败：%s", notification_id, exc)
    return sent


def notification_mark_read(*, notification: Notification, actor) -> None:
    if notification.recipient_id != actor.pk:
        raise PermissionDenied("只能标记自己的通知")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
        layout_forget([actor.pk])


def notifications_mark_all_read(*, actor) -> int:
    count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
    layout_forget([actor.pk])
    return count
