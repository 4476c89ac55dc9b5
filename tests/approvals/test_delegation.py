"""代理审批 through the pages: a delegation across its start and end, the delegate acting and the
history saying “李四 代 张三 审批”, never on his own request."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from approvals.delegations import delegation_set, delegations_announce
from approvals.errors import DomainError
from approvals.models import Delegation, Task
from approvals.selectors import inbox_for, open_tasks_for, task_can_act
from pmis.audit.models import AuditEntry
from pmis.notify.models import Notification
from registrations.models import State
from registrations.services import registration_submit
from tests.dates import days_from_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(org, make_registration):
    """An unsigned registration of 王晓明 waiting on his 销售主管 赵建国."""
    return registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])


def _delegate(org, *, start=0, end=2, kinds=None, delegate="sales_manager2"):
    today = timezone.localdate()
    return delegation_set(
        actor=org["sales_manager"],
        delegator=org["sales_manager"],
        delegate=org[delegate],
        starts_on=today + timedelta(days=start),
        ends_on=today + timedelta(days=end),
        step_kinds=kinds,
        reason="出差",
    )


def test_set_through_the_page_and_refusal_keeps_what_was_typed(client, org):
    client.force_login(org["sales_manager"])
    url = reverse("approvals:delegations")
    bad = {
        "delegator": org["sales_manager"].pk,
        "delegate": org["sales_manager2"].pk,
        "starts_on": days_from_today(3),
        "ends_on": days_from_today(1),
        "reason": "年假",
    }
    response = client.post(url, bad)
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()
    assert 'value="年假"' in response.content.decode()
    assert not Delegation.objects.exists()
    good = {**bad, "ends_on": days_from_today(5), "step_kinds": ["registration"]}
    response = client.post(url, good, follow=True)
    assert "孙丽华 代 赵建国" in response.content.decode()
    delegation = Delegation.objects.get()
    assert delegation.step_kinds == ["registration"] and delegation.created_by == org["sales_manager"]


def test_only_the_person_his_manager_or_an_admin_may_set_it(org):
    today = timezone.localdate()
    args = {"delegate": org["sales2"], "starts_on": today, "ends_on": today}
    with pytest.raises(PermissionDenied):  # a colleague of another team
        delegation_set(actor=org["sales_manager2"], delegator=org["sales"], **args)
    # 王晓明's own 销售主管 may
    delegation_set(actor=org["sales_manager"], delegator=org["sales"], **args)


def test_a_delegation_across_its_start_and_end(client, org, waiting, monkeypatch):
    deputy = org["sales_manager2"]
    task = open_tasks_for(waiting).get()
    delegation = _delegate(org, start=1, end=2)
    # before it starts: nothing for the deputy, no start notice
    assert list(inbox_for(deputy)) == [] and not task_can_act(deputy, task)
    assert delegations_announce() == {"started": 0, "ended": 0}

    tomorrow = timezone.now() + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    deputy = type(deputy).objects.get(pk=deputy.pk)  # a new request
    assert list(inbox_for(deputy)) == [task] and task_can_act(deputy, task)
    assert delegations_announce(now=tomorrow) == {"started": 1, "ended": 0}
    assert delegations_announce(now=tomorrow) == {"started": 0, "ended": 0}  # told once
    started = Notification.objects.filter(kind="delegation_started")
    assert {n.recipient.username for n in started} == {"sales_manager", "sales_manager2"}

    # the inbox says for whom; he approves on the registration's page
    client.force_login(deputy)
    assert "代 赵建国 审批" in client.get(reverse("approvals:inbox")).content.decode()
    client.post(
        reverse("registrations:decide", args=[waiting.pk]),
        {"decision": "approve", "comment": "同意", "seen_state": waiting.state},
    )
    waiting.refresh_from_db()
    assert waiting.state == State.PENDING_SPECIAL
    task.refresh_from_db()
    assert task.closed_by == deputy and task.on_behalf_of == org["sales_manager"]
    assert task.closed_by_label == "孙丽华 代 赵建国 审批"
    entry = AuditEntry.objects.get(action="registration.approve", object_id=waiting.pk)
    assert entry.actor_label == "孙丽华 代 赵建国 审批"
    page = client.get(reverse("registrations:detail", args=[waiting.pk])).content.decode()
    assert "孙丽华 代 赵建国 审批" in page

    # after its last day it has ended by itself, and both are told once
    later = timezone.now() + timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    deputy = type(deputy).objects.get(pk=deputy.pk)
    second = Task.objects.create(
        content_type=task.content_type, object_id=waiting.pk, step="registration.sales_manager",
        step_label="销售主管审批", title="x", link="/", group=task.group, department=task.department,
    )  # fmt: skip
    assert not task_can_act(deputy, second) and list(inbox_for(deputy)) == []
    assert delegations_announce(now=later) == {"started": 0, "ended": 1}
    assert delegations_announce(now=later) == {"started": 0, "ended": 0}
    delegation.refresh_from_db()
    assert delegation.end_notified_at is not None
    assert Notification.objects.filter(kind="delegation_ended").count() == 2


def test_a_delegate_never_approves_his_own_request(org, make_registration):
    """王晓明 stands in for his manager, but his own registration stays out of his reach."""
    delegation_set(
        actor=org["sales_manager"],
        delegator=org["sales_manager"],
        delegate=org["sales"],
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    own = registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])
    task = open_tasks_for(own).get()
    sales = type(org["sales"]).objects.get(pk=org["sales"].pk)
    assert not task_can_act(sales, task)
    assert task not in inbox_for(sales)
    from registrations.services import registration_decide

    with pytest.raises(PermissionDenied):
        registration_decide(registration=own, actor=sales, decision="approve")


def test_kinds_limit_what_the_delegate_sees(org, waiting):
    _delegate(org, kinds=["handover"])
    deputy = type(org["sales_manager2"]).objects.get(pk=org["sales_manager2"].pk)
    assert list(inbox_for(deputy)) == []


def test_overlapping_delegations_are_refused(org):
    _delegate(org, start=0, end=3)
    with pytest.raises(DomainError, match="该时段已设置代理"):
        _delegate(org, start=2, end=4, delegate="sales")


def test_cancel_through_the_page(client, org, waiting):
    delegation = _delegate(org)
    client.force_login(org["sales_manager"])
    client.post(reverse("approvals:delegation_end", args=[delegation.pk]))
    delegation.refresh_from_db()
    assert delegation.cancelled_at is not None
    deputy = type(org["sales_manager2"]).objects.get(pk=org["sales_manager2"].pk)
    assert list(inbox_for(deputy)) == []
