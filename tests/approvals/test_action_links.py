"""One-click 通过 / 退回 from a notification: signed, bound to the user, the task and its version,
expiring, single-use; a stale link says who handled the step; a return asks for its reason."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.links import action_url
from approvals.models import ActionLinkUse
from approvals.selectors import open_tasks_for
from approvals.services import task_reassign
from pmis.notify.models import Notification
from registrations.models import State
from registrations.services import registration_decide, registration_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(org, make_registration):
    return registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])


def _colleague(of, username, name):
    """Another member of the same role, team and region."""
    from pmis.org.models import User

    colleague = User.objects.create(username=username, display_name=name, department=of.department, region=of.region)
    colleague.groups.set(of.groups.all())
    from guardian.shortcuts import assign_perm

    from pmis.org.selectors import REGION_PERMISSION, user_regions

    for region in user_regions(of):
        assign_perm(REGION_PERMISSION, colleague, region)
    return colleague


def _links(notification) -> dict[str, str]:
    found = dict(re.findall(r"(通过|退回)[^：]*：https?://[^/]+(/approvals/act/\S+/)", notification.body))
    return {"approve": found["通过"], "return": found["退回"]}


def test_the_mail_carries_links_that_approve_once(client, org, waiting):
    notice = Notification.objects.get(kind="task_opened", recipient=org["sales_manager"])
    links = _links(notice)
    # opening shows a confirmation and acts on nothing (mail scanners fetch links)
    page = client.get(links["approve"]).content.decode()
    assert "确认通过" in page and "赵建国" in page
    waiting.refresh_from_db()
    assert waiting.state == State.PENDING_SALES_MANAGER
    response = client.post(links["approve"])
    assert "已通过" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.state == State.PENDING_SPECIAL
    task = waiting.tasks.get(step="registration.sales_manager")
    assert task.closed_by == org["sales_manager"] and ActionLinkUse.objects.count() == 1
    # a second use opens who handled it instead of acting
    again = client.post(links["approve"]).content.decode()
    assert "该环节已由 赵建国 于" in again and "通过" in again


def test_a_stale_link_after_someone_else_acted(client, org, waiting):
    url = _links(Notification.objects.get(kind="task_opened", recipient=org["sales_manager"]))["approve"]
    colleague = _colleague(org["sales_manager"], "sales_manager3", "钱主管")
    registration_decide(registration=waiting, actor=colleague, decision="return", comment="补充合同")
    page = client.get(url).content.decode()
    assert "该环节已由 钱主管 于" in page and "退回" in page
    assert "确认通过" not in page
    assert "确认通过" not in client.post(url).content.decode()
    waiting.refresh_from_db()
    assert waiting.state == State.RETURNED


def test_a_return_still_asks_for_its_reason(client, org, waiting):
    url = _links(Notification.objects.get(kind="task_opened", recipient=org["sales_manager"]))["return"]
    response = client.post(url, {"comment": ""})
    assert response.status_code == 200 and "请填写退回原因" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.state == State.PENDING_SALES_MANAGER
    client.post(url, {"comment": "请补充合同扫描件"})
    waiting.refresh_from_db()
    assert waiting.state == State.RETURNED


def test_a_link_is_bound_to_its_user_expires_and_cannot_be_forged(client, org, waiting, monkeypatch):
    task = open_tasks_for(waiting).get()
    url = action_url(task=task, user=org["sales_manager"], outcome="approve")
    client.force_login(org["sales_manager2"])
    assert "该链接是发给 赵建国 的" in client.get(url).content.decode()
    client.logout()
    forged = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
    assert "签名不符" in client.get(forged).content.decode()
    later = timezone.now() + timedelta(hours=73)
    monkeypatch.setattr(timezone, "now", lambda: later)
    import time

    monkeypatch.setattr(time, "time", lambda: later.timestamp())
    assert "该链接已过期" in client.get(url).content.decode()


def test_a_link_goes_stale_when_the_task_is_handed_on(client, org, make_registration):
    # a business step can be handed to a colleague; the old link dies with the hand-over
    r = registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])
    registration_decide(registration=r, actor=org["sales_manager"], decision="approve")
    task = open_tasks_for(r).get()
    url = action_url(task=task, user=org["special_approver"], outcome="approve")
    colleague = _colleague(org["special_approver"], "special2", "钱总")
    task_reassign(task=task, actor=org["special_approver"], to_user=colleague, reason="出差")
    assert "链接已失效" in client.get(url).content.decode()
    assert reverse("approvals:inbox")
