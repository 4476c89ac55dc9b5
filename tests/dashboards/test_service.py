"""售后运维部经理's cards: the SLA trend (sla_metrics month by month), open tickets by severity
and age, breaches by region and person."""

from datetime import datetime, timedelta

import pytest
import time_machine

from aftersales import services as aftersales_services
from aftersales.models import Ticket
from aftersales.selectors import sla_metrics, ticket_queue
from dashboards.selectors import service
from pmis.worktime.models import SlaPolicy
from projects.models import State
from tests.dashboards.conftest import SH

pytestmark = pytest.mark.django_db


def _filed(org, project, *, reported, severity=None, assign=False, start=False):
    actor = org["aftersales"]
    base = {"reporting_unit": "某单位", "reporter": "张工", "description": "描述", "channel": "phone"}
    ticket = aftersales_services.ticket_create(
        project=project, actor=actor, data={**base, "subject": "问题", "reported_at": reported}
    )
    if severity:
        ticket = aftersales_services.ticket_triage(
            ticket=ticket, actor=actor, severity=SlaPolicy.objects.get(code=severity)
        )
    if assign or start:
        ticket = aftersales_services.ticket_assign(ticket=ticket, actor=actor, to=actor)
    if start:
        ticket = aftersales_services.ticket_start(ticket=ticket, actor=actor)
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
    registered = now - timedelta(days=3, hours=1)  # registered then (a 申报时间 may lie back 3 days at most)
    with time_machine.travel(registered, tick=False):
        _filed(org, project, reported=registered)  # not triaged yet
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
    assert card["breached"] == sum(t.is_breached(now) for t in Ticket.objects.all())
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
    # SLA 达成率 = 达成 ÷ (已解决 + 未解决但已超时): north 1 ÷ (2 + 1), south 0 ÷ (0 + 1)
    assert [row["cells"][2]["text"] for row in region.rows] == ["33.3%", "0.0%"]
    assert region.series[0].links[1] == f"/aftersales/tickets/?queue=breached&region={south.region_id}"
    person = card["person_chart"]
    assert person.categories == [engineer.display_name, "（未指派）"]
    assert {s.name: s.values for s in person.series} == {"超时未关闭": [1, 1], "本月超时解决": [1, 0]}
    assert [row["cells"][2]["text"] for row in person.rows] == ["33.3%", "0.0%"]


def test_breaches_agree_with_the_sla_metrics_page_through_a_pause(org, build, now):
    """A breach is sticky through a pause, and a paused clock does not run out: the dashboard
    counts breaches and attainment exactly as the SLA metrics page and the 已超时 queue do."""
    project = build.project(State.MAINTENANCE)
    engineer = org["aftersales"]
    late = _filed(org, project, reported=now - timedelta(hours=6), severity="ticket-urgent", start=True)
    aftersales_services.ticket_pause(ticket=late, actor=engineer, reason="等客户提供日志")  # past 4 h: stays breached
    paused = _filed(org, project, reported=now - timedelta(hours=1), severity="ticket-urgent", start=True)
    aftersales_services.ticket_pause(ticket=paused, actor=engineer, reason="等客户确认")  # 3 h left, kept
    later = now + timedelta(hours=5)  # past the paused ticket's old due time

    with time_machine.travel(later, tick=False):
        opened = service.open_tickets(org["aftersales_manager"])
        breaches = service.breaches(org["aftersales_manager"])
        metrics = sla_metrics(month=now.date().replace(day=1))
        queue = set(ticket_queue(org["aftersales_manager"], "breached").values_list("pk", flat=True))

    assert {t.pk for t in Ticket.objects.all() if t.is_breached(later)} == queue == {late.pk}
    assert opened["breached"] == metrics["overall"]["breached_open"] == 1
    region = breaches["region_chart"]
    assert {s.name: s.values for s in region.series} == {"超时未关闭": [1], "本月超时解决": [0]}
    assert metrics["overall"]["attainment"] == 0.0
    assert [row["cells"][2]["text"] for row in region.rows] == ["0.0%"]


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
