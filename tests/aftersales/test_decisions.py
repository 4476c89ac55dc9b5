"""Handover audits and ticket actions: the second person to decide reads who decided and when."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from aftersales import services
from pmis.org.models import User
from pmis.worktime.services import ticket_levels

pytestmark = pytest.mark.django_db


def _colleague(role, username, name):
    user = User.objects.create_user(username=username, password="x", display_name=name)
    user.groups.add(Group.objects.get(name=role))
    return user


def test_the_second_auditor_of_a_handover_reads_who_accepted_it(client, org, accepted):
    handover = services.handover_submit(project=accepted, actor=org["regional_pm"])
    verdicts = {item.pk: ("ok", "") for item in handover.items.all()}
    services.handover_audit(handover=handover, actor=org["aftersales"], verdicts=verdicts)
    client.force_login(_colleague("aftersales", "aftersales2", "孙售后"))
    data = {"seen_state": "pending_audit", **{f"verdict_{pk}": "ok" for pk in verdicts}}
    response = client.post(reverse("aftersales:handover_decide", args=[handover.pk]), data)
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "该环节已由 梁售后 于" in body


def test_two_engineers_triage_one_ticket(client, org, project):
    ticket = services.ticket_create(
        project=project, actor=org["aftersales"],
        data={"subject": "签章服务无法访问", "reporting_unit": "信息中心", "reporter": "张工"},
    )  # fmt: skip
    urgent, serious = list(ticket_levels())[:2]
    services.ticket_triage(ticket=ticket, actor=org["aftersales"], severity=urgent)
    client.force_login(_colleague("aftersales", "aftersales2", "孙售后"))
    url = reverse("aftersales:ticket_action", args=[ticket.pk, "triage"])
    response = client.post(url, {"seen_state": "new", "severity": serious.pk})
    assert response.status_code == 302
    body = client.get(response["Location"]).content.decode()
    assert "该环节已由 梁售后 于" in body and f"分级：{urgent.name}" in body
    ticket.refresh_from_db()
    assert ticket.severity == urgent
