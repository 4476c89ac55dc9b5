"""Outbound webhooks: written to the outbox in the transaction that caused them, signed, delivered
by Celery with retries and a delivery log; a subscriber that is down delays events, never loses
them."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.db import transaction
from django.utils import timezone

from api.models import WebhookDelivery, WebhookEvent, WebhookSubscriber
from api.tasks import resend_webhooks
from api.webhooks import delivery_attempt
from registrations.services import registration_submit
from tests.aftersales.conftest import ticket_for  # noqa: F401
from tests.projects.conftest import dispatched, project  # noqa: F401

pytestmark = pytest.mark.django_db


class Receiver:
    """A subscriber on loopback that checks each signature as our documentation tells it to."""

    def __init__(self, secret: str):
        self.secret = secret
        self.received: list[dict] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                timestamp = self.headers["X-PMIS-Timestamp"]
                expected = (
                    "sha256="
                    + hmac.new(receiver.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
                )
                valid = hmac.compare_digest(expected, self.headers["X-PMIS-Signature"])
                if valid and receiver.status == 200:
                    receiver.received.append({"event": self.headers["X-PMIS-Event"], "body": json.loads(body)})
                self.send_response(receiver.status if valid else 401)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


@pytest.fixture
def receiver():
    r = Receiver("共享密钥-123")
    yield r
    r.close()


@pytest.fixture
def subscriber(receiver):
    return WebhookSubscriber.objects.create(name="CRM", url=receiver.url, secret=receiver.secret, events=[])


def test_submitting_a_registration_writes_a_signed_event(subscriber, receiver, make_registration, org):
    registration = registration_submit(registration=make_registration(), actor=org["sales"])
    event = WebhookEvent.objects.get(event="registration.submitted")
    assert event.payload["data"]["registration"]["number"] == registration.number
    delivery = WebhookDelivery.objects.get(event=event, subscriber=subscriber)
    assert delivery_attempt(delivery_id=delivery.pk) == WebhookDelivery.State.DELIVERED
    assert [r["event"] for r in receiver.received] == ["registration.submitted"]
    assert receiver.received[0]["body"]["data"]["registration"]["id"] == registration.pk
    assert delivery_attempt(delivery_id=delivery.pk) == "already"
    assert len(receiver.received) == 1


def test_no_event_when_the_change_is_rolled_back(subscriber, make_registration, org):
    registration = make_registration()
    with pytest.raises(RuntimeError), transaction.atomic():
        registration_submit(registration=registration, actor=org["sales"])
        raise RuntimeError("rolled back")
    assert not WebhookEvent.objects.exists()


def test_a_subscriber_that_is_down_gets_the_event_later(subscriber, receiver, make_registration, org):
    receiver.status = 503
    registration_submit(registration=make_registration(), actor=org["sales"])
    delivery = WebhookDelivery.objects.get()
    assert delivery_attempt(delivery_id=delivery.pk) == WebhookDelivery.State.RETRYING
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.last_status == 503 and delivery.next_attempt_at > timezone.now()
    assert resend_webhooks() == 0  # not due yet
    receiver.status = 200
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert resend_webhooks() == 1
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.DELIVERED and delivery.attempts == 2
    assert [r["event"] for r in receiver.received] == ["registration.submitted"]


def test_a_wrong_secret_is_rejected_by_the_subscriber(receiver, make_registration, org):
    WebhookSubscriber.objects.create(name="错配", url=receiver.url, secret="不是这个", events=[])
    registration_submit(registration=make_registration(), actor=org["sales"])
    delivery = WebhookDelivery.objects.get()
    assert delivery_attempt(delivery_id=delivery.pk) == WebhookDelivery.State.RETRYING
    delivery.refresh_from_db()
    assert delivery.last_status == 401 and receiver.received == []


def test_subscribers_get_only_their_events(receiver, make_registration, org):
    WebhookSubscriber.objects.create(name="只要问题", url=receiver.url, secret="x", events=["ticket.created"])
    registration_submit(registration=make_registration(), actor=org["sales"])
    assert not WebhookDelivery.objects.exists()


def test_decisions_are_events(subscriber, make_registration, org):
    from registrations.services import registration_decide

    registration = registration_submit(registration=make_registration(), actor=org["sales"])
    registration_decide(registration=registration, actor=org["business_approver"], decision="return", comment="缺合同")
    decided = WebhookEvent.objects.get(event="registration.decided")
    assert decided.payload["data"]["decision"] == "return"
    assert decided.payload["data"]["comment"] == "缺合同"


def test_phase_changes_and_ticket_lifecycle_are_events(subscriber, project, ticket_for, org):  # noqa: F811
    from approvals.services import tasks_sweep
    from projects.services import project_transition

    project_transition(project=project, actor=org["regional_pm"], action="start_requirements")
    phase = WebhookEvent.objects.filter(event="project.phase_changed").latest("id")
    assert phase.payload["data"]["project"]["code"] == project.code
    assert phase.payload["data"]["to_state"] == "requirements"
    ticket = ticket_for(timezone.now() - timedelta(days=2))
    assert WebhookEvent.objects.get(event="ticket.created").payload["data"]["ticket"]["number"] == ticket.number
    from aftersales import services
    from pmis.worktime.models import SlaPolicy

    services.ticket_triage(ticket=ticket, actor=org["aftersales"], severity=SlaPolicy.objects.get(code="ticket-urgent"))
    tasks_sweep(now=timezone.now() + timedelta(days=1))
    breached = WebhookEvent.objects.get(event="ticket.breached")
    assert breached.payload["data"]["ticket"]["id"] == ticket.pk
