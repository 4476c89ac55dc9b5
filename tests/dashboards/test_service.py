"""售后运维部经理's cards: the SLA trend (sla_metrics month by month), open tickets by severity
and age, breaches by region and person."""

from datetime import datetime, timedelta

import pytest

from aftersales import services as aftersales_services
from dashboards.selectors import service
from pmis.worktime.models import SlaPolicy
from projects.models import State
from tests.dashboards.conftest import SH

pytestmark = pytest.mark.django_db


def _filed(org, project, *, reported, severity=None, assign=False):
    actor = org["aftersales"]
    base = {"reporting_unit": "某单位", "reporter": "张工", "description": "描述", "channel": "phone"}
    ticket = aftersales_services.ticket_create(
        project=project, actor=actor, data={**base, "subject": "问题", "reported_at": reported}
    )
    if severity:
        ticket = aftersales_services.ticket_triage(
            ticket=ticket, actor=actor, severity=SlaPolicy.objects.get(code=severity)
        )
    if assign:
        ticket = aftersales_services.ticket_assign(ticket=ticket, actor=actor, to=actor)
    return ticket


def test_sla_trend_shows_each_months_attainment_and_resolution(org, build):
    project = build.project(State.MAINTENANCE)
    october = datetime(2026, 10, 12, 10, tzinfo=SH)
    build.ticket(project, reported=october, resolved=october + timedelta(hours=5), met=True)
    build.ticket(project, reported=october, resolved=october + timedelta(days=5), met=False)
    build.ticket(project, reported=october)
    november = datetime(2026, 11, 20, 10, tzinfo=SH)
    build.ticket(project, reported=november, resolved=november + timedelta(hours=2), met=True)
    build.ticket(project, reported=november)

    card = service.sla_trend(org["aftersales_manager"])

    chart = card["chart"]
    assert chart.categories == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    values = {s.name: s.values for s in chart.series}
    assert values["SLA 达成率"] == [None, None, None, None, 50.0, 100.0]
    assert values["问题解决率"] == [None, None, None, None, 66.7, 50.0]
    assert card["attainment"] == 100.0 and card["resolution_rate"] == 50.0
    assert chart.series[0].links[-1] == "/aftersales/metrics/?month=2026-11"
    assert [row["cells"][2]["text"] for row in chart.rows][-2:] == ["3", "2"]  # 问题数 column


def test_open_tickets_by_severity_and_age_with_warning_and_breached(org, build, now):
    project = build.project(State.MAINTENANCE)
    _filed(org, project, reported=now - timedelta(hours=5), severity="ticket-urgent")  # past 4 h
    _filed(org, project, reported=now - timedelta(hours=40), severity="ticket-medium")  # past 75 % of 48 h
    _filed(org, project, reported=now - timedelta(hours=2), severity="ticket-normal")
    _filed(org, project, reported=now - timedelta(days=3, hours=1))  # not triaged yet
    build.ticket(project, reported=now - timedelta(hours=3), resolved=now, met=True)  # resolved: not open

    card = service.open_tickets(org["aftersales_manager"])

    chart = card["chart"]
    assert chart.categories == ["紧急", "中等", "一般", "未分级"]
    assert {s.name: s.values for s in chart.series} == {
        "1 天内": [1, 0, 1, 0],
        "1–3 天": [0, 1, 0, 0],
        "3–7 天": [0, 0, 0, 1],
        "7 天以上": [0, 0, 0, 0],
    }
    assert card["total"] == 4 and card["warning"] == 1 and card["breached"] == 1
    urgent = SlaPolicy.objects.get(code="ticket-urgent")
    assert chart.series[0].links[0] == f"/aftersales/tickets/?queue=open&severity={urgent.pk}"
    assert card["breached_link"] == "/aftersales/tickets/?queue=breached"


def test_breaches_by_region_and_person(org, build, now):
    north, south = build.project(State.MAINTENANCE), build.project(State.MAINTENANCE, region="south")
    engineer = org["aftersales"]
    _filed(org, north, reported=now - timedelta(hours=6), severity="ticket-urgent", assign=True)
    _filed(org, south, reported=now - timedelta(hours=6), severity="ticket-urgent")
    early = now - timedelta(days=2)
    build.ticket(north, reported=early, resolved=early + timedelta(days=1), met=False, assignee=engineer)
    build.ticket(north, reported=early, resolved=early + timedelta(hours=1), met=True, assignee=engineer)

    card = service.breaches(org["aftersales_manager"])

    region = card["region_chart"]
    assert region.categories == ["北方", "南方"]
    assert {s.name: s.values for s in region.series} == {"超时未关闭": [1, 1], "本月超时解决": [1, 0]}
    assert [row["cells"][2]["text"] for row in region.rows] == ["50.0%", "—"]
    assert region.series[0].links[1] == f"/aftersales/tickets/?queue=breached&region={south.region_id}"
    person = card["person_chart"]
    assert person.categories == [engineer.display_name, "（未指派）"]
    assert {s.name: s.values for s in person.series} == {"超时未关闭": [1, 1], "本月超时解决": [1, 0]}


def test_past_months_come_from_the_cache_and_this_month_stays_live(org, build):
    project = build.project(State.MAINTENANCE)
    october = datetime(2026, 10, 12, 10, tzinfo=SH)
    build.ticket(project, reported=october, resolved=october + timedelta(hours=5), met=True)
    manager = org["aftersales_manager"]
    first = service.sla_trend(manager)
    november = datetime(2026, 11, 20, 10, tzinfo=SH)
    build.ticket(project, reported=november, resolved=november + timedelta(hours=2), met=False)
    build.ticket(project, reported=october, resolved=october + timedelta(days=9), met=False)  # October, late

    again = service.sla_trend(manager)

    assert again["attainment"] == 0.0  # this month: read afresh
    assert {s.name: s.values for s in again["chart"].series}["SLA 达成率"][-2] == 100.0  # October: cached
    assert first["chart"].series[0].values[-2] == 100.0
