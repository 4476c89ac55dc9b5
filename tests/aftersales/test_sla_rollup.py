"""The SLA metrics read a monthly roll-up the ticket services keep: after any series of ticket
changes it equals a computation from the tickets themselves and a rebuild from scratch, and the
metrics page costs the same number of queries with ten times the tickets."""

from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from aftersales import services
from aftersales.models import Ticket, TicketMonthStat
from aftersales.selectors import sla_metrics, sla_metrics_from_tickets
from aftersales.services.rollup import rollup_rebuild, tickets_breach_mark
from pmis.worktime.models import SlaPolicy
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
JUNE, JULY = date(2026, 6, 1), date(2026, 7, 1)
COMPARED = (
    "total", "resolved", "met", "breached_open", "responded", "response_met", "response_missed_open", "reopened",
    "reopens", "judged", "attainment", "resolution_rate", "response_rate",
)  # fmt: skip


def at(*args):
    return datetime(*args, tzinfo=SH)


def _figures(row):
    figures = {name: row[name] for name in COMPARED}
    figures["transfer_hours"] = pytest.approx(row["transfer_hours"]) if row["transfer_hours"] is not None else None
    return figures


STORED = (
    "month", "region", "assignee", "severity", "total", "resolved", "met", "breached_open", "responded",
    "response_met", "reopened", "reopens", "transferred", "transfer_us",
)  # fmt: skip


def _stored() -> list[tuple]:
    return sorted(TicketMonthStat.objects.values_list(*STORED), key=str)


def assert_rollup_agrees():
    """The page's figures equal those computed from the tickets, for every month, grouping and
    region filter; and the stored rows equal a rebuild from scratch."""
    for month in (None, JUNE, JULY):
        for group_by in ("region", "assignee"):
            kept = sla_metrics(month=month, group_by=group_by)
            scratch = sla_metrics_from_tickets(month=month, group_by=group_by)
            assert _figures(kept["overall"]) == _figures(scratch["overall"]), (month, group_by)
            assert {r["label"]: _figures(r) for r in kept["rows"]} == {
                r["label"]: _figures(r) for r in scratch["rows"]
            }, (month, group_by)
    stored = [row for row in _stored() if any(row[4:])]  # a row emptied by a move counts nothing
    rollup_rebuild()
    rebuilt = _stored()
    assert stored == rebuilt


def test_the_rollup_follows_every_ticket_change(org, ticket_for, time_machine):
    urgent = SlaPolicy.objects.get(name="紧急")
    normal = SlaPolicy.objects.get(name="一般")
    engineer, manager, pm = org["aftersales"], org["aftersales_manager"], org["regional_pm"]

    time_machine.move_to(at(2026, 6, 1, 9, 0), tick=False)
    a = ticket_for(at(2026, 6, 1, 9, 0))
    b = ticket_for(at(2026, 6, 1, 8, 30))
    assert_rollup_agrees()
    a = services.ticket_triage(ticket=a, actor=engineer, severity=urgent)
    b = services.ticket_triage(ticket=b, actor=engineer, severity=normal)
    time_machine.move_to(at(2026, 6, 1, 9, 40), tick=False)
    a = services.ticket_assign(ticket=a, actor=engineer, to=engineer)
    a = services.ticket_start(ticket=a, actor=engineer)
    assert_rollup_agrees()
    # b's response target passes unanswered: counted live, not stored
    time_machine.move_to(at(2026, 6, 1, 15, 0), tick=False)
    assert sla_metrics(month=JUNE)["overall"]["response_missed_open"] == 1
    assert_rollup_agrees()
    # a runs out while it runs: live until the sweep marks it, stored after
    time_machine.move_to(at(2026, 6, 2, 10, 0), tick=False)
    assert sla_metrics(month=JUNE)["overall"]["breached_open"] >= 1
    assert_rollup_agrees()
    assert tickets_breach_mark() >= 1
    assert tickets_breach_mark() == 0
    assert Ticket.objects.get(pk=a.pk).sla_breached_at is not None
    assert_rollup_agrees()
    a = services.ticket_pause(ticket=a, actor=engineer, reason="等待客户提供日志")
    a = services.ticket_resume(ticket=a, actor=engineer)
    a = services.ticket_resolve(ticket=a, actor=engineer, resolution="已修复")
    assert a.sla_met is False
    assert_rollup_agrees()
    # reassigned to another person: the counts move between the two people's rows
    b = services.ticket_assign(ticket=b, actor=manager, to=pm, dispatch=True)
    b = services.ticket_start(ticket=b, actor=pm)
    b = services.ticket_resolve(ticket=b, actor=pm, resolution="现场处理")
    assert_rollup_agrees()
    a = services.ticket_reopen(ticket=a, actor=engineer, reason="问题复现")
    assert_rollup_agrees()
    a = services.ticket_start(ticket=a, actor=engineer)
    a = services.ticket_resolve(ticket=a, actor=engineer, resolution="彻底修复")
    services.ticket_close(ticket=a, actor=engineer, confirmation="申报人电话确认")
    # another month
    time_machine.move_to(at(2026, 7, 1, 9, 0), tick=False)
    c = services.ticket_triage(ticket=ticket_for(at(2026, 7, 1, 9, 0)), actor=engineer, severity=urgent)
    services.ticket_assign(ticket=c, actor=engineer, to=engineer)
    assert_rollup_agrees()
    overall = sla_metrics(month=JUNE)["overall"]
    assert (overall["total"], overall["resolved"], overall["reopens"]) == (2, 2, 1)


def test_the_rebuild_command_recomputes_it_from_the_tickets(org, ticket_for, time_machine):
    time_machine.move_to(at(2026, 6, 1, 9, 0), tick=False)
    ticket = services.ticket_triage(
        ticket=ticket_for(at(2026, 6, 1, 9, 0)), actor=org["aftersales"], severity=SlaPolicy.objects.get(name="紧急")
    )
    before = sla_metrics(month=JUNE)["overall"]["total"]
    TicketMonthStat.objects.all().delete()  # lost, or stale after a bulk load
    assert sla_metrics(month=JUNE)["overall"]["total"] == 0
    out = StringIO()
    call_command("sla_rollup_rebuild", stdout=out)
    assert "已重建" in out.getvalue()
    assert sla_metrics(month=JUNE)["overall"]["total"] == before == 1
    assert ticket.pk


def _bulk_tickets(count, *, project, engineer, severity, start):
    Ticket.objects.bulk_create(
        Ticket(
            number=f"RU{start + i:07d}", project=project, subject="批量问题", reporting_unit="某单位", reporter="张工",
            reported_at=at(2026, 6, 1 + i % 28, 9, 0), description="描述", channel=Ticket.Channel.PHONE,
            severity=severity, state=Ticket.State.CLOSED, assignee=engineer, created_by=engineer,
            due_at=at(2026, 6, 1 + i % 28, 17, 0), first_assigned_at=at(2026, 6, 1 + i % 28, 9, 30),
            first_response_at=at(2026, 6, 1 + i % 28, 10, 0), resolved_at=at(2026, 6, 1 + i % 28, 12, 0),
            sla_met=True, closed_at=at(2026, 6, 1 + i % 28, 12, 0),
        )
        for i in range(count)
    )  # fmt: skip
    rollup_rebuild()


def test_the_metrics_page_costs_the_same_with_ten_times_the_tickets(org, project, client, time_machine):
    time_machine.move_to(at(2026, 7, 2, 9, 0), tick=False)
    severity = SlaPolicy.objects.get(name="紧急")
    client.force_login(org["aftersales_manager"])
    url = reverse("aftersales:metrics") + "?month=2026-06"
    _bulk_tickets(30, project=project, engineer=org["aftersales"], severity=severity, start=0)
    client.get(url)  # warm
    few = count_queries(lambda: client.get(url))
    _bulk_tickets(300, project=project, engineer=org["aftersales"], severity=severity, start=1000)
    response = client.get(url)
    assert response.status_code == 200 and response.context["overall"]["total"] == 330
    assert count_queries(lambda: client.get(url)) == few
