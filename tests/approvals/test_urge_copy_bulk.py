"""催办, 抄送 and 批量审批 through the pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from approvals.models import CarbonCopy, Task
from approvals.selectors import open_tasks_for
from pmis.audit.models import AuditEntry
from pmis.notify.models import Notification
from pmis.worktime.models import SlaPolicy
from registrations.models import State
from registrations.selectors import registration_can_view
from registrations.services import registration_decide, registration_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(org, make_registration):
    """An unsigned registration of 王晓明 waiting on his 销售主管 赵建国."""
    return registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])


def test_the_applicant_urges_a_waiting_step_once_per_interval(client, org, waiting, monkeypatch):
    task = open_tasks_for(waiting).get()
    client.force_login(org["sales"])
    detail = reverse("registrations:detail", args=[waiting.pk])
    page = client.get(detail).content.decode()
    assert "催办" in page and reverse("approvals:urge", args=[task.pk]) in page

    response = client.post(reverse("approvals:urge", args=[task.pk]), {"next": detail}, follow=True)
    assert "已催办：销售主管审批" in response.content.decode()
    urged = Notification.objects.get(kind="task_urged")
    assert urged.recipient == org["sales_manager"] and "王晓明 催办" in urged.body
    assert AuditEntry.objects.filter(action="task.urge", object_id=waiting.pk, actor=org["sales"]).count() == 1

    # again at once: refused, nobody told twice
    response = client.post(reverse("approvals:urge", args=[task.pk]), {"next": detail}, follow=True)
    assert "4 小时内只能催办一次" in response.content.decode()
    assert Notification.objects.filter(kind="task_urged").count() == 1

    # the interval is a policy row an admin edits
    SlaPolicy.objects.filter(code="approval-urge-interval").update(duration_minutes=60)
    later = timezone.now() + timedelta(minutes=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    client.post(reverse("approvals:urge", args=[task.pk]), {"next": detail})
    assert Notification.objects.filter(kind="task_urged").count() == 2


def test_only_the_applicant_urges(client, org, waiting):
    task = open_tasks_for(waiting).get()
    client.force_login(org["sales2"])
    assert client.post(reverse("approvals:urge", args=[task.pk])).status_code == 404
    assert not Notification.objects.filter(kind="task_urged").exists()


def test_copied_people_see_the_record_and_are_told_the_outcome(client, org, waiting):
    reader = org["presales"]
    waiting.presales = None
    waiting.save(update_fields=["presales"])
    assert not registration_can_view(reader, waiting)
    client.force_login(org["sales"])
    url = reverse("approvals:copy", args=[_ct(waiting), waiting.pk])
    detail = reverse("registrations:detail", args=[waiting.pk])
    # refused without anyone chosen: the note typed comes back
    response = client.post(url, {"note": "请知悉", "next": detail})
    assert response.status_code == 200 and 'value="请知悉"' in response.content.decode()
    response = client.post(url, {"users": [reader.pk], "note": "请知悉", "next": detail}, follow=True)
    assert "已抄送：陈立" in response.content.decode()
    assert registration_can_view(reader, waiting)
    assert Notification.objects.filter(kind="cc_added", recipient=reader).count() == 1
    assert AuditEntry.objects.filter(action="record.cc", object_id=waiting.pk).count() == 1

    registration_decide(registration=waiting, actor=org["sales_manager"], decision="approve", comment="同意")
    told = Notification.objects.get(kind="cc_outcome", recipient=reader)
    assert "销售主管审批通过" in told.title and "赵建国" in told.body

    client.force_login(reader)
    page = client.get(reverse("approvals:copied")).content.decode()
    assert waiting.title in page and "通过" in page
    assert client.get(detail).status_code == 200


def test_a_stranger_cannot_copy_people(client, org, waiting):
    client.force_login(org["sales2"])
    url = reverse("approvals:copy", args=[_ct(waiting), waiting.pk])
    assert client.post(url, {"users": [org["sales2"].pk]}).status_code == 404
    assert not CarbonCopy.objects.exists()


def _ct(record):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(record).pk


def test_bulk_approval_where_one_was_already_decided(client, org, make_registration):
    first, second, third = (
        registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])
        for _ in range(3)
    )
    tasks = [open_tasks_for(r).get() for r in (first, second, third)]
    manager = org["sales_manager"]
    client.force_login(manager)
    inbox = client.get(reverse("approvals:inbox")).content.decode()
    assert all(f'name="task" value="{t.pk}"' in inbox for t in tasks)
    # another approver of the same team decides the second one meanwhile
    from approvals.delegations import delegation_set

    delegation_set(
        actor=manager,
        delegator=manager,
        delegate=org["sales_manager2"],
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
    )
    deputy = type(manager).objects.get(pk=org["sales_manager2"].pk)
    registration_decide(registration=second, actor=deputy, decision="return", comment="补充材料")

    response = client.post(
        reverse("approvals:bulk_approve"), {"task": [t.pk for t in tasks], "comment": "同意，批量通过"}
    )
    body = response.content.decode()
    assert "已通过 2 项，1 项未通过" in body
    assert "已由 孙丽华 代 赵建国 审批" in body and "退回" in body
    for r, state in ((first, State.PENDING_SPECIAL), (second, State.RETURNED), (third, State.PENDING_SPECIAL)):
        r.refresh_from_db()
        assert r.state == state
    approvals = AuditEntry.objects.filter(action="registration.approve", actor=manager)
    assert approvals.count() == 2 and {e.comment for e in approvals} == {"同意，批量通过"}


def test_bulk_refuses_steps_that_need_their_page(client, org, make_registration):
    r = registration_submit(registration=make_registration(), actor=org["sales"])  # signed: straight to 商务
    task = open_tasks_for(r).get()
    assert task.step == "registration.business"
    client.force_login(org["business_approver"])
    body = client.post(reverse("approvals:bulk_approve"), {"task": [task.pk], "comment": "同意"}).content.decode()
    assert "已通过 0 项，1 项未通过" in body and "请完成商务审核要点" in body
    task.refresh_from_db()
    assert task.state == Task.State.OPEN


def test_bulk_with_nothing_chosen_keeps_the_comment(client, org, waiting):
    client.force_login(org["sales_manager"])
    response = client.post(reverse("approvals:bulk_approve"), {"comment": "同意"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "请先勾选要批量通过的待办" in body and 'value="同意"' in body
