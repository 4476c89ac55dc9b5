"""Projects, tickets, notifications, lookups and metrics through the API."""

import pytest
from django.utils import timezone

from aftersales.models import Ticket, TicketComment
from pmis.audit.models import AuditEntry
from pmis.notify.models import Notification
from tests.aftersales.conftest import ticket_for  # noqa: F401
from tests.projects.conftest import dispatched, project  # noqa: F401

pytestmark = pytest.mark.django_db


def test_project_shows_state_team_phases_and_documents(api_as, project):  # noqa: F811
    api = api_as("regional_pm")
    listed = api.get("/api/v1/projects/").json()["results"]
    assert [p["code"] for p in listed] == [project.code]
    data = api.get(f"/api/v1/projects/{project.pk}/").json()
    assert data["state"] == project.state and data["pm"]["name"] == "郑北辰"
    assert any(row["current"] for row in data["phases"])
    assert any("钱实" in role["members"] for role in data["team"])
    assert isinstance(data["documents"], list)
    assert data["plan"] == []


def test_project_plan_with_predecessors_and_late_items(api_as, project, org):  # noqa: F811
    from datetime import timedelta

    from django.utils import timezone

    from planning.plan import plan_item_add

    pm, today = org["regional_pm"], timezone.localdate()
    first = plan_item_add(project=project, actor=pm, name="环境准备", planned_start=today - timedelta(days=10),
                          planned_end=today - timedelta(days=3))  # fmt: skip
    plan_item_add(project=project, actor=pm, name="系统联调", planned_start=today + timedelta(days=1),
                  planned_end=today + timedelta(days=8), predecessors=[first])  # fmt: skip
    plan = api_as("regional_pm").get(f"/api/v1/projects/{project.pk}/").json()["plan"]
    assert [(i["name"], i["late"]) for i in plan] == [("环境准备", True), ("系统联调", False)]
    assert plan[1]["predecessors"] == [plan[0]["seq"]]


def test_a_project_of_another_region_is_not_found(api_as, project):  # noqa: F811
    assert api_as("regional_pm_south").get(f"/api/v1/projects/{project.pk}/").status_code == 404


def _ticket_body(project, **extra):  # noqa: F811
    return {
        "project_code": project.code,
        "subject": "印章无法加盖",
        "reporting_unit": "某某地铁信息中心",
        "reporter": "张工",
        "reporter_phone": "13900000000",
        "reported_at": timezone.now().isoformat(),
        "channel": "phone",
        "description": "加盖时报错",
        **extra,
    }


def test_hotline_files_a_ticket_and_works_it(api_as, project, org):  # noqa: F811
    api = api_as("aftersales", name="热线系统")
    created = api.post("/api/v1/tickets/", _ticket_body(project), format="json")
    assert created.status_code == 201, created.json()
    ticket = Ticket.objects.get(pk=created.json()["id"])
    assert AuditEntry.objects.get(action="ticket.create", object_id=ticket.pk).via_text == "经 API（热线系统）"
    reply = api.post(f"/api/v1/tickets/{ticket.pk}/replies/", {"body": "已收到，正在排查"}, format="json")
    assert reply.status_code == 201
    assert TicketComment.objects.get(ticket=ticket).body == "已收到，正在排查"
    from pmis.worktime.models import SlaPolicy

    severity = SlaPolicy.objects.get(code="ticket-serious")
    triaged = api.post(
        f"/api/v1/tickets/{ticket.pk}/act/", {"action": "triage", "severity": severity.pk}, format="json"
    )
    assert triaged.status_code == 200, triaged.json()
    assigned = api.post(
        f"/api/v1/tickets/{ticket.pk}/act/", {"action": "assign", "to": org["aftersales"].pk}, format="json"
    )
    assert assigned.status_code == 200, assigned.json()
    started = api.post(f"/api/v1/tickets/{ticket.pk}/act/", {"action": "start", "version": "assigned"}, format="json")
    assert started.status_code == 200, started.json()
    stale = api.post(f"/api/v1/tickets/{ticket.pk}/act/", {"action": "start", "version": "assigned"}, format="json")
    assert stale.status_code == 409
    refused = api.post(f"/api/v1/tickets/{ticket.pk}/act/", {"action": "resolve", "resolution": ""}, format="json")
    assert refused.status_code == 422 and refused.json()["message"]


def test_ticket_form_rules_and_roles(api_as, project):  # noqa: F811
    bad = api_as("aftersales").post("/api/v1/tickets/", _ticket_body(project, project_code="NOPE"), format="json")
    assert bad.status_code == 400
    assert bad.json()["fields"]["project_code"] == ["未找到项目编号“NOPE”"]
    assert api_as("sales").post("/api/v1/tickets/", _ticket_body(project), format="json").status_code == 403
    assert api_as("sales").get("/api/v1/tickets/").status_code == 403


def test_notifications_list_and_mark_read(api_as, org):
    mine = Notification.objects.create(recipient=org["sales"], title="测试通知", kind="test")
    other = Notification.objects.create(recipient=org["sales2"], title="别人的", kind="test")
    api = api_as("sales")
    listed = api.get("/api/v1/notifications/?unread=true").json()["results"]
    assert [n["id"] for n in listed] == [mine.pk]
    assert api.post(f"/api/v1/notifications/{mine.pk}/read/").json()["read_at"]
    assert api.post(f"/api/v1/notifications/{other.pk}/read/").status_code == 404
    assert api.get("/api/v1/notifications/?unread=true").json()["results"] == []


def test_lookups(api_as):
    api = api_as("sales")
    assert any(r["code"] == "north" and r["provinces"] for r in api.get("/api/v1/lookups/regions/").json())
    assert api.get("/api/v1/lookups/products/").json()
    people = api.get("/api/v1/lookups/people/?q=郑北").json()
    assert [p["username"] for p in people] == ["regional_pm"]
    assert api.get("/api/v1/lookups/people/").status_code == 400


def test_sla_metrics_for_those_who_may_see_them(api_as, ticket_for):  # noqa: F811
    ticket_for(timezone.now())
    data = api_as("aftersales_manager").get("/api/v1/metrics/sla/").json()
    assert data["overall"]["total"] == 1
    assert any(name == "SLA 达成率" for name, _ in data["formulas"])
    assert api_as("sales").get("/api/v1/metrics/sla/").status_code == 403
    assert api_as("aftersales_manager").get("/api/v1/metrics/sla/?month=2026-13").status_code == 400
