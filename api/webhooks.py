"""Outbound webhooks. An event is written to the outbox in the transaction of the change that
caused it (from its audit row), one delivery per subscriber; Celery posts it after the commit and
retries with growing waits for as long as the subscriber is down — an event is delayed, never
lost. Each POST is signed: `X-PMIS-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`."""

import contextlib
import hashlib
import hmac
import json
import time
from datetime import timedelta

import requests
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import Event, WebhookDelivery, WebhookEvent, WebhookSubscriber

TIMEOUT_SECONDS = 10
# waits after the 1st, 2nd, … failed attempt; the last one repeats until the subscriber answers
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))


def _registration_payload(registration, entry) -> dict:
    return {
        "id": registration.pk,
        "number": registration.number,
        "title": registration.title,
        "state": registration.state,
        "state_label": registration.get_state_display(),
    }


def _classify(entry, subject) -> tuple[str, dict] | None:
    """Which event an audit row is, if any, and what it says."""
    action = entry.action
    model = subject._meta.label_lower
    if model == "registrations.registration":
        if action == "registration.submit":
            return Event.REGISTRATION_SUBMITTED, {"registration": _registration_payload(subject, entry)}
        if action in ("registration.approve", "registration.return", "registration.reject"):
            return Event.REGISTRATION_DECIDED, {
                "registration": _registration_payload(subject, entry),
                "decision": action.split(".", 1)[1],
                "step": entry.details.get("step", ""),
                "comment": entry.comment,
            }
    if model == "projects.project" and entry.to_state and entry.to_state != entry.from_state:
        return Event.PROJECT_PHASE_CHANGED, {
            "project": {"id": subject.pk, "code": subject.code, "name": subject.name},
            "from_state": entry.from_state,
            "to_state": entry.to_state,
            "to_label": entry.to_label,
        }
    if model == "aftersales.ticket" and action in ("ticket.create", "ticket.resolve"):
        event = Event.TICKET_CREATED if action == "ticket.create" else Event.TICKET_RESOLVED
        return event, {"ticket": _ticket_payload(subject)}
    if model == "approvals.task" and action == "task.escalate" and subject.step == "ticket.sla":
        ticket = subject.subject
        if ticket is not None:
            return Event.TICKET_BREACHED, {"ticket": _ticket_payload(ticket)}
    return None


def _ticket_payload(ticket) -> dict:
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "state": ticket.state,
        "project": ticket.project.code if ticket.project_id else "",
        "due_at": ticket.due_at,
    }


def event_from_audit(entry, subject) -> WebhookEvent | None:
    found = _classify(entry, subject)
    if found is None:
        return None
    event_name, data = found
    subscribers = [s for s in WebhookSubscriber.objects.filter(active=True) if s.wants(event_name)]
    if not subscribers:
        return None
    payload = json.loads(
        json.dumps({"event": event_name, "at": entry.at, "audit_id": entry.pk, "data": data}, cls=DjangoJSONEncoder)
    )
    event = WebhookEvent.objects.create(event=event_name, payload=payload)
    deliveries = WebhookDelivery.objects.bulk_create([WebhookDelivery(event=event, subscriber=s) for s in subscribers])
    ids = [d.pk for d in deliveries]
    transaction.on_commit(lambda: _queue(ids))
    return event


def events_from_audit_many(pairs) -> None:
    """The bulk form of event_from_audit for a sweep's thousands of rows: nothing to do, in one
    query, when no subscriber is active."""
    if not WebhookSubscriber.objects.filter(active=True).exists():
        return
    for entry, subject in pairs:
        event_from_audit(entry, subject)


def _queue(ids: list[int]) -> None:
    from .tasks import deliver_webhook

    for pk in ids:
        # the broker is down: the delivery stays due and the minute's resend picks it up
        with contextlib.suppress(Exception):
            deliver_webhook.delay(pk)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def delivery_attempt(*, delivery_id: int, now=None) -> str:
    """Post one delivery once; on failure schedule the next try. Safe to run twice: a delivered
    or locked row is left alone."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("event", "subscriber")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return "locked"
        if delivery.state == WebhookDelivery.State.DELIVERED:
            return "already"
        body = json.dumps({"id": delivery.event_id, **delivery.event.payload}, ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-PMIS-Event": delivery.event.event,
            "X-PMIS-Delivery": str(delivery.pk),
            "X-PMIS-Timestamp": timestamp,
            "X-PMIS-Signature": sign(delivery.subscriber.secret, timestamp, body),
        }
        delivery.attempts += 1
        try:
            response = requests.post(delivery.subscriber.url, data=body, headers=headers, timeout=TIMEOUT_SECONDS)
            delivery.last_status = response.status_code
            ok = 200 <= response.status_code < 300
            delivery.last_error = "" if ok else f"HTTP {response.status_code}"
        except requests.RequestException as exc:
            ok = False
            delivery.last_status = None
            delivery.last_error = str(exc)[:500]
        if ok:
            delivery.state = WebhookDelivery.State.DELIVERED
            delivery.delivered_at = now
        else:
            delivery.state = WebhookDelivery.State.RETRYING
            delivery.next_attempt_at = now + BACKOFF[min(delivery.attempts, len(BACKOFF)) - 1]
        delivery.save()
        return delivery.state


def deliveries_due(*, now=None, limit: int = 200) -> list[int]:
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.exclude(state=WebhookDelivery.State.DELIVERED)
        .filter(next_attempt_at__lte=now, subscriber__active=True)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
