from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from aftersales import services
from aftersales.models import Ticket
from aftersales.selectors import sla_metrics, ticket_queue
from approvals.errors import DomainError
from approvals.services import tasks_sweep
from pmis.notify.models import Notification
from pmis.worktime.models import CalendarDay, Clock, SlaPolicy

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


def _severity(name):
    return SlaPolicy.objects.get(name=name)


def test_the_ticket_lifecycle(org, ticket_for, time_machine):
    time_machine.move_to(at(2026, 6, 1, 10, 0), tick=False)
    t = ticket_for(at(2026, 6, 1, 10, 0))
    assert t.number.startswith("SB") and t.state == Ticket.State.NEW
    assert Notification.objects.filter(recipient=org["aftersales_manager"], kind="ticket_new").exists()
    with pytest.raises(DomainError, match="请先为问题分级"):
        services.ticket_assign(ticket=t, actor=org["aftersales"], to=org["aftersales"])
    t = services.ticket_triage(ticket=t, actor=org["aftersales"], severity=_severity("紧急"))
    assert t.due_at == at(2026, 6, 1, 14, 0)  # 4 natural hours
    t = services.ticket_assign(ticket=t, actor=org["aftersales"], to=org["aftersales"])
    time_machine.move_to(at(2026, 6, 1, 10, 20), tick=False)
    t = services.ticket_start(ticket=t, actor=org["aftersales"])
    assert t.first_response_at == at(2026, 6, 1, 10, 20)
    time_machine.move_to(at(2026, 6, 1, 12, 0), tick=False)
    with pytest.raises(DomainError, match="解决方案"):
        services.ticket_resolve(ticket=t, actor=org["aftersales"], resolution="")
    t = services.ticket_resolve(ticket=t, actor=org["aftersales"], resolution="重启签章服务")
    assert t.state == Ticket.State.RESOLVED and t.sla_met is True and t.resolved_at == at(2026, 6, 1, 12, 0)
    t = services.ticket_reopen(ticket=t, actor=org["aftersales"], reason="客户反馈再次出现")
    assert t.due_at == at(2026, 6, 1, 16, 0) and t.resolved_at is None and t.sla_met is None  # a new clock
    t = services.ticket_start(ticket=t, actor=org["aftersales"])
    time_machine.move_to(at(2026, 6, 1, 20, 0), tick=False)
    t = services.ticket_resolve(ticket=t, actor=org["aftersales"], resolution="修复配置")
    assert t.sla_met is False and t.resolved_at == at(2026, 6, 1, 20, 0)  # judged on the last resolution
    assert not t.tasks.filter(state="open").exists()  # the reopened work is answered too
    with pytest.raises(DomainError, match="确认情况"):
        services.ticket_close(ticket=t, actor=org["aftersales"], confirmation="")
    t = services.ticket_close(ticket=t, actor=org["aftersales"], confirmation="电话回访，客户确认")
    assert t.state == Ticket.State.CLOSED


def test_working_clock_across_a_holiday(org, ticket_for, time_machine):
    for day in range(1, 6):
        CalendarDay.objects.create(date=date(2026, 5, day), kind=CalendarDay.Kind.HOLIDAY, name="劳动节")
    severe = _severity("严重")
    severe.clock = Clock.WORKING
    severe.save()
    time_machine.move_to(at(2026, 4, 30, 16, 0), tick=False)
    t = ticket_for(at(2026, 4, 30, 16, 0))
    t = services.ticket_triage(ticket=t, actor=org["aftersales"], severity=severe)
    assert t.due_at == at(2026, 5, 6, 15, 0)  # 2 h on Friday, then 6 h after the holiday
    general = services.ticket_triage(
        ticket=ticket_for(at(2026, 4, 30, 16, 0)), actor=org["aftersales"], severity=_severity("一般")
    )
    assert general.due_at == at(2026, 5, 7, 16, 0)  # 7 natural days, holiday or not


def test_waiting_for_the_customer_stops_the_clock(org, ticket_for, time_machine):
    time_machine.move_to(at(2026, 6, 1, 10, 0), tick=False)
    t = services.ticket_triage(
        ticket=ticket_for(at(2026, 6, 1, 10, 0)), actor=org["aftersales"], severity=_severity("严重")
    )
    assert t.due_at == at(2026, 6, 1, 18, 0)
    services.ticket_assign(ticket=t, actor=org["aftersales"], to=org["aftersales"])
    services.ticket_start(ticket=t, actor=org["aftersales"])
    time_machine.move_to(at(2026, 6, 1, 12, 0), tick=False)
    t = services.ticket_pause(ticket=t, actor=org["aftersales"], reason="等待客户提供日志")
    assert t.remaining_seconds == 6 * 3600
    time_machine.move_to(at(2026, 6, 1, 20, 0), tick=False)  # the old due time has passed while paused
    assert tasks_sweep() == {"escalated": 0, "warned": 0}
    t = services.ticket_resume(ticket=t, actor=org["aftersales"])
    assert t.due_at == at(2026, 6, 2, 2, 0)  # 6 h left, from 20:00
    time_machine.move_to(at(2026, 6, 2, 1, 0), tick=False)
    t = services.ticket_resolve(ticket=t, actor=org["aftersales"], resolution="日志定位后修复")
    assert t.sla_met is True


def test_warn_the_assignee_at_75_percent_and_escalate_to_the_manager_at_breach_once(org, ticket_for, time_machine):
    time_machine.move_to(at(2026, 6, 1, 10, 0), tick=False)
    t = services.ticket_triage(
        ticket=ticket_for(at(2026, 6, 1, 10, 0)), actor=org["aftersales"], severity=_severity("紧急")
    )
    services.ticket_assign(ticket=t, actor=org["aftersales"], to=org["aftersales"])
    time_machine.move_to(at(2026, 6, 1, 13, 1), tick=False)  # past 75 % of 4 h
    assert tasks_sweep()["warned"] == 1
    assert tasks_sweep()["warned"] == 0
    warning = Notification.objects.get(kind="sla_warning")
    assert warning.recipient == org["aftersales"]
    assert [x.pk for x in ticket_queue(org["aftersales"], "warning")] == [t.pk]
    time_machine.move_to(at(2026, 6, 1, 14, 1), tick=False)
    assert tasks_sweep()["escalated"] == 1
    assert tasks_sweep()["escalated"] == 0
    escalated = set(Notification.objects.filter(kind="sla_escalation").values_list("recipient__username", flat=True))
    assert escalated == {"aftersales", "aftersales_manager"}
    assert [x.pk for x in ticket_queue(org["aftersales"], "breached")] == [t.pk]
    time_machine.move_to(at(2026, 6, 1, 15, 0), tick=False)
    services.ticket_start(ticket=t, actor=org["aftersales"])
    t = services.ticket_resolve(ticket=t, actor=org["aftersales"], resolution="x")
    assert t.sla_met is False


def test_dispatch_to_the_regional_pm_of_the_projects_region(org, ticket_for, client, time_machine):
    time_machine.move_to(at(2026, 6, 1, 10, 0))
    t = services.ticket_triage(
        ticket=ticket_for(at(2026, 6, 1, 10, 0)), actor=org["aftersales"], severity=_severity("紧急")
    )
    with pytest.raises(PermissionDenied):
        services.ticket_assign(ticket=t, actor=org["aftersales"], to=org["regional_pm"], dispatch=True)
    with pytest.raises(DomainError, match="不是项目所在区域"):
        services.ticket_assign(ticket=t, actor=org["aftersales_manager"], to=org["regional_pm_south"], dispatch=True)
    t = services.ticket_assign(ticket=t, actor=org["aftersales_manager"], to=org["regional_pm"], dispatch=True)
    assert t.dispatched_to_pm and t.assignee == org["regional_pm"]
    client.force_login(org["regional_pm"])
    assert client.get(t.get_absolute_url()).status_code == 200
    client.force_login(org["regional_pm_south"])
    assert client.get(t.get_absolute_url()).status_code == 404
    assert list(ticket_queue(org["regional_pm_south"], "all")) == []


def test_metrics_figures(org, ticket_for, project, time_machine):
    urgent, normal = _severity("紧急"), _severity("一般")

    def ticket(reported, severity, assign_after=None, resolve_after=None, dispatch=False):
        time_machine.move_to(reported, tick=False)
        t = services.ticket_triage(ticket=ticket_for(reported), actor=org["aftersales"], severity=severity)
        if assign_after is not None:
            time_machine.move_to(reported + assign_after, tick=False)
            to = org["regional_pm"] if dispatch else org["aftersales"]
            actor = org["aftersales_manager"] if dispatch else org["aftersales"]
            t = services.ticket_assign(ticket=t, actor=actor, to=to, dispatch=dispatch)
            services.ticket_start(ticket=t, actor=to)
            if resolve_after is not None:
                time_machine.move_to(reported + resolve_after, tick=False)
                services.ticket_resolve(ticket=t, actor=to, resolution="ok")
        return t

    june = at(2026, 6, 1, 9, 0)
    ticket(june, urgent, timedelta(minutes=30), timedelta(hours=3))  # met
    ticket(june, urgent, timedelta(hours=1), timedelta(hours=5))  # breached
    ticket(june, normal, timedelta(hours=2), timedelta(days=2), dispatch=True)  # met
    ticket(june, normal)  # open, unassigned
    ticket(at(2026, 7, 1, 9, 0), urgent, timedelta(hours=1), timedelta(hours=1))  # another month

    figures = sla_metrics(month=date(2026, 6, 1))
    overall = figures["overall"]
    assert (overall["total"], overall["resolved"], overall["met"]) == (4, 3, 2)
    # the open 一般 ticket was due on 06-08 and the clock now stands at 07-01: it counts as a miss
    assert overall["breached_open"] == 1 and overall["attainment"] == pytest.approx(2 / 4)
    assert overall["resolution_rate"] == pytest.approx(3 / 4)
    assert overall["transfer_hours"] == pytest.approx((0.5 + 1 + 2) / 3)
    assert {s["severity__name"]: s["n"] for s in figures["severities"]} == {"紧急": 2, "一般": 2}
    by_person = {r["label"]: r for r in sla_metrics(month=date(2026, 6, 1), group_by="assignee")["rows"]}
    assert by_person["梁售后"]["total"] == 2 and by_person["梁售后"]["met"] == 1
    assert by_person["郑北辰"]["attainment"] == 1.0
    assert by_person["（未指派）"]["total"] == 1
    (north,) = sla_metrics(month=date(2026, 6, 1), group_by="region")["rows"]
    assert north["label"] == "北方" and north["total"] == 4
