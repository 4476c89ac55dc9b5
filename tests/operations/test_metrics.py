import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from aftersales import services as aftersales_services
from aftersales.models import Ticket
from approvals.errors import DomainError
from operations import services
from operations.models import Branch, Incident
from operations.selectors import operations_metrics
from pmis.org.models import Province
from pmis.worktime.models import SlaPolicy

from .conftest import at

pytestmark = pytest.mark.django_db


def _ticket(live, org, when, subject="无法登录"):
    return aftersales_services.ticket_create(
        project=live,
        actor=org["aftersales"],
        data={
            "subject": subject,
            "reporting_unit": "信息科",
            "reporter": "张工",
            "reported_at": when,
            "channel": Ticket.Channel.PHONE,
            "description": "报错",
        },
    )


def test_the_operations_figures_of_a_month(org, live, time_machine):
    aftersales = org["aftersales"]
    severity = SlaPolicy.objects.get(code="ticket-serious")
    time_machine.move_to(at(2026, 6, 1, 10, 0), tick=False)
    quick = _ticket(live, org, at(2026, 6, 1, 10, 0))
    slow = _ticket(live, org, at(2026, 6, 1, 10, 0), "导出失败")
    for ticket in (quick, slow):
        aftersales_services.ticket_triage(ticket=ticket, actor=aftersales, severity=severity)
    time_machine.move_to(at(2026, 6, 1, 10, 20), tick=False)
    aftersales_services.ticket_assign(ticket=quick, actor=aftersales, to=aftersales)
    time_machine.move_to(at(2026, 6, 1, 11, 0), tick=False)
    aftersales_services.ticket_assign(ticket=slow, actor=aftersales, to=aftersales)
    services.complaint_record(ticket=slow, actor=aftersales, note="客户投诉处理慢")

    Branch.objects.create(name="石家庄办事处", province=Province.objects.get(name="河北"))
    visit = services.onsite_request(
        project=live,
        actor=aftersales,
        province=Province.objects.get(name="河北"),
        address="机房",
        reason="硬件故障",
        engineer=aftersales,
    )
    time_machine.move_to(at(2026, 6, 1, 11, 30), tick=False)
    services.onsite_arrive(visit=visit, actor=aftersales)

    data = {
        "title": "停服",
        "reporter": "张工",
        "channel": Incident.Channel.PHONE,
        "symptoms": "全部无法访问",
        "level": Incident.Level.SECOND,
        "outage_started_at": at(2026, 6, 1, 11, 0),
    }
    incident = services.incident_report(project=live, actor=aftersales, data=data)
    time_machine.move_to(at(2026, 6, 1, 11, 40), tick=False)
    services.incident_recover(incident=incident, actor=aftersales, note="恢复")

    figures = operations_metrics(month=at(2026, 6, 1, 0, 0).date())
    assert figures["transfer"] == {"met": 1, "judged": 2, "rate": 50.0}
    assert figures["complaints"] == 1
    assert figures["arrival"] == {"met": 1, "judged": 1, "rate": 100.0}
    second = next(row for row in figures["incident_levels"] if row["label"] == "二级")
    assert (second["n"], second["minutes"]) == (1, 40)
    assert operations_metrics(month=at(2026, 7, 1, 0, 0).date())["complaints"] == 0


def test_the_metrics_page_shows_the_operations_rows_with_their_formulas(client, org, live, time_machine):
    time_machine.move_to(at(2026, 6, 10, 10, 0), tick=False)
    client.force_login(org["aftersales_manager"])
    body = client.get(reverse("aftersales:metrics"), {"month": "2026-06"}).content.decode()
    for text in (
        "技术支持转单时长达标率",
        "客户投诉次数",
        "现场到场达成率",
        "突发事件按级别",
        "登记后在“技术支持转单时长”",
    ):
        assert text in body, text


def test_a_ticket_is_flagged_as_a_complaint_once(org, live, time_machine):
    time_machine.move_to(at(2026, 6, 1, 10, 0), tick=False)
    ticket = _ticket(live, org, at(2026, 6, 1, 10, 0))
    with pytest.raises(PermissionDenied):
        services.complaint_record(ticket=ticket, actor=org["sales"], note="投诉")
    services.complaint_record(ticket=ticket, actor=org["aftersales"], note="投诉")
    with pytest.raises(DomainError, match="已登记"):
        services.complaint_record(ticket=ticket, actor=org["aftersales"], note="再次")
