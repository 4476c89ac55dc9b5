"""Two approvers decide one registration step: one wins, the other reads who decided and when —
in Chinese, never a 404 — whether he pressed just after the first committed or at the same time."""

import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.urls import reverse

from pmis.audit.models import AuditEntry
from pmis.org.models import User
from registrations.models import State
from registrations.services import registration_submit
from tests.conftest import CHECKED


@pytest.fixture
def second_approver(org):
    user = User.objects.create_user(
        username="business_approver2",
        password="x",
        display_name="赵审批",
        department=org["business_approver"].department,
    )
    user.groups.add(Group.objects.get(name="business_approver"))
    return user


@pytest.fixture
def pending_business(org, make_registration):
    return registration_submit(registration=make_registration(), actor=org["sales"])


def _approve(client, registration, seen=State.PENDING_BUSINESS):
    data = {"decision": "approve", "comment": "", "seen_state": seen, **{f"check_{k}": "on" for k in CHECKED}}
    return client.post(reverse("registrations:decide", args=[registration.pk]), data)


def _approvals(registration):
    return AuditEntry.objects.filter(object_id=registration.pk, action="registration.approve").count()


@pytest.mark.django_db
def test_pressing_after_the_first_committed_names_who_decided(client, org, pending_business, second_approver):
    first = Client()
    first.force_login(org["business_approver"])
    assert _approve(first, pending_business).status_code == 302
    pending_business.refresh_from_db()
    assert pending_business.state == State.DISPATCHED

    client.force_login(second_approver)
    response = _approve(client, pending_business)
    assert response.status_code == 302 and response["Location"] == reverse("registrations:queue")
    body = client.get(response["Location"]).content.decode()
    assert "该环节已由 周敏 于" in body and "商务审批通过" in body and "已派发，待立项" in body
    assert _approvals(pending_business) == 1


@pytest.mark.django_db
def test_an_old_page_without_the_seen_state_also_gets_the_answer(client, org, pending_business, second_approver):
    first = Client()
    first.force_login(org["business_approver"])
    _approve(first, pending_business)
    client.force_login(second_approver)
    data = {"decision": "approve", **{f"check_{k}": "on" for k in CHECKED}}
    response = client.post(reverse("registrations:decide", args=[pending_business.pk]), data)
    assert response.status_code == 302
    assert "该环节已由 周敏 于" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_an_outsider_still_gets_a_404(client, org, pending_business):
    first = Client()
    first.force_login(org["business_approver"])
    _approve(first, pending_business)
    client.force_login(org["sales2"])
    assert _approve(client, pending_business).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_the_same_moment(org, pending_business, second_approver):
    approvers = [org["business_approver"], second_approver]
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def press(user):
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=10)
            response = _approve(client, pending_business)
            results[user.username] = (response.status_code, client.get(response["Location"]).content.decode())
        except Exception as exc:  # pragma: no cover - surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(user,)) for user in approvers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert _approvals(pending_business) == 1
    winner = AuditEntry.objects.get(object_id=pending_business.pk, action="registration.approve").actor
    loser = next(u for u in approvers if u != winner)
    status, body = results[loser.username]
    assert status == 302 and f"该环节已由 {winner} 于" in body
    status, body = results[winner.username]
    assert status == 302 and "已处理" in body and "该环节已由" not in body
