"""The SLA rules of tickets on a moved clock: sticky breaches through pause / resume / resolve, the
reopen clock, attainment that counts open breaches, the 申报时间 bounds, the triage deadline and the
first-response target."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from aftersales import services
from aftersales.models import Ticket
from aftersales.selectors import sla_metrics, ticket_queue
from approvals.errors import DomainError
from approvals.models import Task
from approvals.selectors import inbox_for, open_tasks_for
from approvals.services import tasks_sweep
from pmis.audit.models import AuditEntry
from pmis.notify.models import Notification
from pmis.worktime.models import SlaPolicy

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


MONDAY_10 = at(2026, 6, 1, 10, 0)


def _severity(name):
    return SlaPolicy.objects.get(name=name)


@pytest.fixture
def working(org, ticket_for, time_machine):
    """An urgent ticket (4 natural hours) reported on Monday 2026-06-01 10:00, assigned and started at
    10:10: due 14:00."""

    def make(reported=MONDAY_10, severity="紧急", engineer="aftersales"):
        time_machine.move_to(reported, tick=False)
        t = services.ticket_triage(ticket=ticket_for(reported), actor=org["aftersales"], severity=_severity(severity))
        services.ticket_assign(ticket=t, actor=org["aftersales"], to=org[engineer])
        time_machine.move_to(reported + timedelta(minutes=10), tick=False)
        return services.ticket_start(ticket=t, actor=org[engineer])

    return make


def _move(time_machine, when):
    time_machine.move_to(when, tick=False)


# ---------------------------------------------------------------------------------------------
# 3. a breach is sticky


def test_a_late_ticket_paused_and_resolved_from_waiting_stays_a_miss(org, working, time_machine, client):
    t = working()
    assert t.due_at == at(2026, 6, 1, 14, 0)
    _move(time_machine, at(2026, 6, 1, 15, 0))  # an hour late
    t = services.ticket_pause(ticket=t, actor=org["aftersales"], reason="等待客户提供日志")
    assert t.remaining_seconds == 0 and t.sla_breached_at == at(2026, 6, 1, 14, 0)
    assert [x.pk for x in ticket_queue(org["aftersales"], "breached")] == [t.pk]  # paused, still late
    _move(time_machine, at(2026, 6, 1, 15, 30))
    t = services.ticket_resolve(ticket=t, actor=org["aftersales"], resolution="日志定位后修复")
    assert t.sla_met is False
    assert t.due_at == at(2026, 6, 1, 14, 0)  # the time limit does not move to the resolve time
    client.force_login(org["aftersales"])
    body = client.get(t.get_absolute_url()).content.decode()
    assert 'SLA <span class="overdue-text">未达成</span>' in body and "2026-06-01 14:00" in body


def test_resuming_a_late_ticket_keeps_its_due_time_and_it_stays_overdue(org, working, time_machine, client):
    t = working()
    _move(time_machine, at(2026, 6, 1, 15, 0))
    assert tasks_sweep()["escalated"] == 1
    t = services.ticket_pause(ticket=t, actor=org["aftersales"], reason="等待客户")
    _move(time_machine, at(2026, 6, 1, 17, 0))
    t = services.ticket_resume(ticket=t, actor=org["aftersales"])
    assert t.due_at == at(2026, 6, 1, 14, 0)  # not reset to "now"
    assert [x.pk for x in ticket_queue(org["aftersales"], "breached")] == [t.pk]
    assert tasks_sweep()["escalated"] == 0  # escalated once, not again
    client.force_login(org["aftersales"])
    listing = client.get(reverse("aftersales:tickets"), {"queue": "mine"}).content.decode()
    assert "已超时" in listing
    _move(time_machine, at(2026, 6, 1, 17, 30))
    assert services.ticket_resolve(ticket=t, actor=org["aftersales"], resolution="x").sla_met is False


def test_a_breach_while_paused_later_is_escalated_once_it_runs_again(org, working, time_machine):
    """Paused late before the sweep saw it: the resumed clock is still past due and is escalated."""
    t = working()
    _move(time_machine, at(2026, 6, 1, 14, 0, 30))
    t = services.ticket_pause(ticket=t, actor=org["aftersales"], reason="等待客户")
    _move(time_machine, at(2026, 6, 1, 16, 0))
    assert tasks_sweep()["escalated"] == 0  # the clock is stopped
    services.ticket_resume(ticket=t, actor=org["aftersales"])
    assert tasks_sweep()["escalated"] == 1
    assert Notification.objects.filter(kind="sla_escalation", recipient=org["aftersales_manager"]).exists()


def test_resuming_never_moves_a_due_time_earlier(org, working, time_machine):
    t = working(severity="严重")  # due 18:00
    pause = at(2026, 6, 1, 12, 0) + timedelta(microseconds=500_000)
    _move(time_machine, pause)
    t = services.ticket_pause(ticket=t, actor=org["aftersales"], reason="等待客户")
    t = services.ticket_resume(ticket=t, actor=org["aftersales"])  # at once: 5 h 59 min 59.5 s were left
    assert t.due_at == at(2026, 6, 1, 18, 0)
    _move(time_machine, at(2026, 6, 1, 13, 0))
    t = services.ticket_pause(ticket=t, actor=org["aftersales"], reason="等待客户")
    _move(time_machine, at(2026, 6, 1, 15, 0))
    t = services.ticket_resume(ticket=t, actor=org["aftersales"])
    assert t.due_at == at(2026, 6, 1, 20, 0)  # the two hours of waiting are given back
    assert t.tasks.get(step="ticket.sla").due_at == t.due_at


# ---------------------------------------------------------------------------------------------
# 4. reopen


def test_a_reopen_starts_a_new_clock_warned_and_escalated_and_counts_as_unresolved(org, working, time_machine, client):
    t = working()
    _move(time_machine, at(2026, 6, 1, 11, 0))
    t = services.ticket_resolve(ticket=t, actor=org["aftersales"], resolution="重启服务")
    assert t.sla_met is True
    _move(time_machine, at(2026, 6, 1, 12, 0))
    t = services.ticket_reopen(ticket=t, actor=org["aftersales"], reason="客户反馈再次出现")
    assert t.due_at == at(2026, 6, 1, 16, 0) and t.reopen_count == 1
    assert t.resolved_at is None and t.sla_met is None
    task = t.tasks.get(state="open")
    assert (task.step, task.due_at, task.warn_at) == ("ticket.sla", at(2026, 6, 1, 16, 0), at(2026, 6, 1, 15, 0))
    assert task in inbox_for(org["aftersales"])
    assert Notification.objects.filter(kind="ticket_reopened", recipient=org["aftersales"]).exists()

    figures = sla_metrics(month=date(2026, 6, 1))["overall"]
    assert (figures["resolved"], figures["met"], figures["reopened"], figures["reopens"]) == (0, 0, 1, 1)
    assert figures["resolution_rate"] == 0

    _move(time_machine, at(2026, 6, 1, 15, 1))
    assert tasks_sweep()["warned"] == 1
    assert Notification.objects.get(kind="sla_warning").recipient == org["aftersales"]
    _move(time_machine, at(2026, 6, 1, 16, 1))
    assert tasks_sweep()["escalated"] == 1
    escalated = set(Notification.objects.filter(kind="sla_escalation").values_list("recipient__username", flat=True))
    assert escalated == {"aftersales", "aftersales_manager"}
    assert [x.pk for x in ticket_queue(org["aftersales"], "breached")] == [t.pk]
    assert sla_metrics(month=date(2026, 6, 1))["overall"]["attainment"] == 0  # 0 met of 1 open breached

    services.ticket_start(ticket=t, actor=org["aftersales"])
    _move(time_machine, at(2026, 6, 1, 17, 0))
    t = services.ticket_resolve(ticket=t, actor=org["aftersales"], resolution="修复配置")
    assert t.sla_met is False  # the last resolution, against the reopened clock
    figures = sla_metrics(month=date(2026, 6, 1))["overall"]
    assert (figures["resolved"], figures["met"], figures["judged"]) == (1, 0, 1)
    client.force_login(org["aftersales_manager"])
    page = client.get(reverse("aftersales:metrics"), {"month": "2026-06"}).content.decode()
    assert "1 个问题（共 1 次）" in page


def test_a_reopened_ticket_resolved_within_its_new_clock_is_met(org, working, time_machine):
    t = working()
    _move(time_machine, at(2026, 6, 1, 15, 0))
    t = services.ticket_resolve(ticket=t, actor=org["aftersales"], resolution="x")
    assert t.sla_met is False
    _move(time_machine, at(2026, 6, 2, 9, 0))
    t = services.ticket_reopen(ticket=t, actor=org["aftersales"], reason="再次出现")
    services.ticket_start(ticket=t, actor=org["aftersales"])
    _move(time_machine, at(2026, 6, 2, 10, 0))
    t = services.ticket_resolve(ticket=t, actor=org["aftersales"], resolution="y")
    assert t.sla_met is True and t.resolved_at == at(2026, 6, 2, 10, 0)


# ---------------------------------------------------------------------------------------------
# 5. attainment counts open breached tickets


def test_attainment_counts_open_breached_tickets_as_misses(org, working, ticket_for, time_machine, client):
    for hour in (10, 11, 12, 13):  # four met: resolved within 4 h
        t = working(reported=at(2026, 6, 1, hour, 0))
        _move(time_machine, at(2026, 6, 1, hour, 0) + timedelta(hours=1))
        services.ticket_resolve(ticket=t, actor=org["aftersales"], resolution="ok")
    for hour in (10, 11):  # two resolved late
        t = working(reported=at(2026, 6, 2, hour, 0))
        _move(time_machine, at(2026, 6, 2, hour, 0) + timedelta(hours=5))
        services.ticket_resolve(ticket=t, actor=org["aftersales"], resolution="late")
    working(reported=at(2026, 6, 3, 9, 0))  # open and breached by the time we look
    working(reported=at(2026, 6, 3, 20, 0), severity="一般")  # open, not yet due
    _move(time_machine, at(2026, 6, 4, 9, 0))

    overall = sla_metrics(month=date(2026, 6, 1))["overall"]
    assert (overall["met"], overall["resolved"], overall["breached_open"]) == (4, 6, 1)
    assert overall["attainment"] == pytest.approx(4 / 7)
    client.force_login(org["aftersales_manager"])
    page = client.get(reverse("aftersales:metrics"), {"month": "2026-06"}).content.decode()
    assert "57%（4/7，其中未解决但已超时 1）" in page
    assert "口径说明" in page and "SLA 达成数 ÷（已解决数 + 未解决但已超时数）" in page
    for name in ("问题解决率", "首次响应达成率", "平均转单时长", "重开"):
        assert f"<dt>{name}</dt>" in page.split('id="formulas"')[1]


# ---------------------------------------------------------------------------------------------
# 6. 申报时间


def test_a_report_time_in_the_future_is_refused(org, ticket_for, time_machine, client, project):
    _move(time_machine, at(2026, 6, 1, 10, 0))
    with pytest.raises(DomainError, match="不能晚于当前时间"):
        ticket_for(at(2026, 6, 1, 11, 0))
    assert not Ticket.objects.exists()
    client.force_login(org["aftersales"])
    data = {
        "project_code": project.code, "subject": "签章失败", "reporting_unit": "某某地铁", "reporter": "张工",
        "reported_at": "2026-06-01T11:00", "channel": "phone", "description": "描述",
    }  # fmt: skip
    response = client.post(reverse("aftersales:ticket_new"), data)
    body = response.content.decode()
    assert response.status_code == 200 and "申报时间不能晚于当前时间" in body and 'value="签章失败"' in body
    assert not Ticket.objects.exists()


def test_back_dating_is_bounded_by_a_policy_and_audited(org, ticket_for, time_machine):
    _move(time_machine, at(2026, 6, 4, 10, 0))
    with pytest.raises(DomainError, match="最多可早于登记时间 3 天"):
        ticket_for(at(2026, 6, 1, 9, 59))
    t = ticket_for(at(2026, 6, 1, 10, 0))  # exactly three days back
    entry = AuditEntry.objects.get(action="ticket.create", object_id=t.pk)
    assert entry.action_label == "登记问题申报单（补录：申报时间早于登记 3 天）"
    assert entry.details["backdated_seconds"] == 3 * 24 * 3600
    bound = SlaPolicy.objects.get(code="aftersales-backdate")
    bound.duration_minutes = 7 * 24 * 60  # an admin widens the bound
    bound.save()
    assert ticket_for(at(2026, 5, 29, 10, 0)).reported_at == at(2026, 5, 29, 10, 0)
    now = ticket_for(at(2026, 6, 4, 10, 0))
    assert AuditEntry.objects.get(action="ticket.create", object_id=now.pk).action_label == "登记问题申报单"


# ---------------------------------------------------------------------------------------------
# 7. triage deadline


def test_an_untriaged_ticket_is_warned_then_escalated_to_the_aftersales_manager(org, ticket_for, time_machine):
    _move(time_machine, at(2026, 6, 1, 22, 0))  # at night: the hotline runs 24×7
    t = ticket_for(at(2026, 6, 1, 21, 55))
    task = Task.objects.get(step="ticket.triage", object_id=t.pk)
    assert task.due_at == at(2026, 6, 1, 22, 30) and task in inbox_for(org["aftersales"])
    _move(time_machine, at(2026, 6, 1, 22, 23))
    assert tasks_sweep()["warned"] == 1
    assert Notification.objects.filter(kind="sla_warning", recipient=org["aftersales"]).exists()
    assert not Notification.objects.filter(kind="sla_warning", recipient=org["aftersales_manager"]).exists()
    _move(time_machine, at(2026, 6, 1, 22, 31))
    assert tasks_sweep()["escalated"] == 1
    assert Notification.objects.filter(kind="sla_escalation", recipient=org["aftersales_manager"]).exists()
    services.ticket_triage(ticket=t, actor=org["aftersales_manager"], severity=_severity("紧急"))
    task.refresh_from_db()
    assert task.state == Task.State.DONE and task.outcome == "triaged"
    assert list(open_tasks_for(t).values_list("step", flat=True)) == ["ticket.sla"]


def test_the_triage_deadline_is_a_policy(org, ticket_for, time_machine):
    policy = SlaPolicy.objects.get(code="aftersales-triage")
    policy.duration_minutes = 15
    policy.save()
    _move(time_machine, at(2026, 6, 1, 10, 0))
    t = ticket_for(at(2026, 6, 1, 10, 0))
    assert Task.objects.get(step="ticket.triage", object_id=t.pk).due_at == at(2026, 6, 1, 10, 15)


# ---------------------------------------------------------------------------------------------
# 8. first response


def test_first_response_target_is_four_working_hours_and_is_counted(org, working, ticket_for, time_machine, client):
    prompt = working(reported=at(2026, 6, 1, 10, 0))  # Monday 10:00: response due 14:00, started 10:10
    assert prompt.response_due_at == at(2026, 6, 1, 14, 0) and prompt.response_met is True
    _move(time_machine, at(2026, 6, 2, 9, 0))
    slow = services.ticket_triage(
        ticket=ticket_for(at(2026, 6, 2, 9, 0)), actor=org["aftersales"], severity=_severity("一般")
    )
    services.ticket_assign(ticket=slow, actor=org["aftersales"], to=org["aftersales"])
    _move(time_machine, at(2026, 6, 2, 15, 0))
    slow = services.ticket_start(ticket=slow, actor=org["aftersales"])
    assert slow.response_met is False
    _move(time_machine, at(2026, 6, 3, 9, 0))
    silent = services.ticket_triage(
        ticket=ticket_for(at(2026, 6, 3, 9, 0)), actor=org["aftersales"], severity=_severity("严重")
    )
    # Friday 16:00: two working hours on Friday, two on Monday morning
    _move(time_machine, at(2026, 6, 5, 16, 0))
    friday = services.ticket_triage(
        ticket=ticket_for(at(2026, 6, 5, 16, 0)), actor=org["aftersales"], severity=_severity("中等")
    )
    assert friday.response_due_at == at(2026, 6, 8, 11, 0)
    services.ticket_assign(ticket=friday, actor=org["aftersales"], to=org["aftersales"])
    _move(time_machine, at(2026, 6, 8, 10, 30))
    friday = services.ticket_start(ticket=friday, actor=org["aftersales"])
    assert friday.response_met is True
    _move(time_machine, at(2026, 6, 9, 9, 0))

    overall = sla_metrics(month=date(2026, 6, 1))["overall"]
    assert (overall["response_met"], overall["response_judged"]) == (2, 4)  # silent counts as a miss
    assert overall["response_rate"] == pytest.approx(2 / 4)
    client.force_login(org["aftersales"])
    body = client.get(silent.get_absolute_url()).content.decode()
    assert "2026-06-03 13:00（工作时间，4 小时）" in body and "已超时，尚未响应" in body
    assert "首次响应达成率" in client.get(reverse("aftersales:metrics"), {"month": "2026-06"}).content.decode()


def test_the_response_target_is_a_policy_per_severity(org, ticket_for, time_machine):
    urgent = _severity("紧急")
    urgent.response_minutes, urgent.response_clock = 30, "natural"
    urgent.save()
    _move(time_machine, at(2026, 6, 6, 10, 0))  # a Saturday
    t = services.ticket_triage(ticket=ticket_for(at(2026, 6, 6, 10, 0)), actor=org["aftersales"], severity=urgent)
    assert t.response_due_at == at(2026, 6, 6, 10, 30)
    t = services.ticket_triage(
        ticket=ticket_for(at(2026, 6, 6, 10, 0)), actor=org["aftersales"], severity=_severity("一般")
    )
    assert t.response_due_at == at(2026, 6, 8, 13, 0)
