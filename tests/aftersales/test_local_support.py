"""000 §3.6: a problem that needs a local engineer — the 系统服务部 engineer asks, the 售后运维部经理
dispatches it to the PM of the project's region (which answers the request) or declines with a
reason, back to the engineer."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from aftersales import services
from approvals.errors import DomainError
from approvals.selectors import inbox_for, open_tasks_for
from pmis.audit.models import AuditEntry
from pmis.notify.models import Notification
from pmis.worktime.models import SlaPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def working(org, ticket_for):
    """A ticket triaged and assigned to the 系统服务部 engineer, who has started on it."""
    ticket = ticket_for(timezone.now())
    ticket = services.ticket_triage(ticket=ticket, actor=org["aftersales"], severity=SlaPolicy.objects.get(name="严重"))
    ticket = services.ticket_assign(ticket=ticket, actor=org["aftersales"], to=org["aftersales"])
    return services.ticket_start(ticket=ticket, actor=org["aftersales"])


def _support_steps(user):
    return [t for t in inbox_for(user) if t.step == "ticket.local_support"]


def test_the_engineer_asks_and_the_manager_dispatches_to_the_regions_pm(org, working):
    manager, engineer = org["aftersales_manager"], org["aftersales"]
    with pytest.raises(DomainError, match="原因"):
        services.ticket_support_request(ticket=working, actor=engineer, reason=" ")
    services.ticket_support_request(ticket=working, actor=engineer, reason="需要现场更换加密卡")
    (task,) = _support_steps(manager)
    assert "需要现场更换加密卡" in task.title and not _support_steps(engineer)
    assert AuditEntry.objects.filter(object_id=working.pk, action="ticket.support_request").count() == 1
    with pytest.raises(DomainError, match="已申请"):
        services.ticket_support_request(ticket=working, actor=engineer, reason="再次申请")

    ticket = services.ticket_assign(ticket=working, actor=manager, to=org["regional_pm"], dispatch=True)
    assert ticket.dispatched_to_pm and ticket.assignee == org["regional_pm"]
    assert not _support_steps(manager)
    task.refresh_from_db()
    assert task.outcome == "dispatched" and task.closed_by == manager


def test_the_manager_declines_with_a_reason_and_the_engineer_is_told(org, working):
    manager, engineer = org["aftersales_manager"], org["aftersales"]
    services.ticket_support_request(ticket=working, actor=engineer, reason="客户要求上门")
    with pytest.raises(DomainError, match="原因"):
        services.ticket_support_decline(ticket=working, actor=manager, reason="")
    services.ticket_support_decline(ticket=working, actor=manager, reason="可远程处理，先远程排查")
    assert not open_tasks_for(working).filter(step="ticket.local_support").exists()
    told = Notification.objects.get(recipient=engineer, kind="ticket_support_declined")
    assert "可远程处理" in told.body
    working.refresh_from_db()
    assert working.assignee == engineer and not working.dispatched_to_pm
    # he may ask again with more to go on
    services.ticket_support_request(ticket=working, actor=engineer, reason="远程无法连接客户内网")
    assert len(_support_steps(manager)) == 1


def test_only_the_engineer_on_it_asks_and_only_the_manager_declines(org, working):
    with pytest.raises(PermissionDenied):
        services.ticket_support_request(ticket=working, actor=org["aftersales_manager"], reason="x")
    with pytest.raises(PermissionDenied):
        services.ticket_support_request(ticket=working, actor=org["cs_staff"], reason="x")
    services.ticket_support_request(ticket=working, actor=org["aftersales"], reason="需上门")
    with pytest.raises(PermissionDenied):
        services.ticket_support_decline(ticket=working, actor=org["aftersales"], reason="x")


def test_asked_and_answered_from_the_ticket_page(client, org, working):
    url = lambda action: reverse("aftersales:ticket_action", args=[working.pk, action])  # noqa: E731
    client.force_login(org["aftersales"])
    body = client.get(working.get_absolute_url()).content.decode()
    assert "申请当地技术支持" in body
    refused = client.post(url("support"), {"seen_state": working.state, "reason": ""})
    assert refused.status_code == 200 and "请填写需要当地技术支持的原因" in refused.content.decode()
    assert client.post(url("support"), {"seen_state": working.state, "reason": "需要现场更换加密卡"}).status_code == 302
    assert "等待售后运维部经理派单" in client.get(working.get_absolute_url()).content.decode()

    client.force_login(org["aftersales_manager"])
    body = client.get(working.get_absolute_url()).content.decode()
    assert "当地技术支持派单" in body and "需要现场更换加密卡" in body and "不派单，退回处理人" in body
    refused = client.post(url("support_decline"), {"seen_state": working.state, "reason": ""})
    assert "不派当地支持时请填写原因" in refused.content.decode()
    response = client.post(url("dispatch"), {"seen_state": working.state, "to": org["regional_pm"].pk})
    assert response.status_code == 302
    assert not _support_steps(org["aftersales_manager"])
    working.refresh_from_db()
    assert working.assignee == org["regional_pm"]


def test_solving_the_ticket_answers_a_pending_request(org, working):
    services.ticket_support_request(ticket=working, actor=org["aftersales"], reason="需上门")
    services.ticket_resolve(ticket=working, actor=org["aftersales"], resolution="远程已解决")
    assert not _support_steps(org["aftersales_manager"])
