"""The ticket page as a service desk: side cards that match the state, the countdown's colour,
the project link, the conversation with attachments, and the queue each role's list opens on."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from aftersales import services
from aftersales.models import TicketComment
from pmis.catalog.models import DocumentType
from pmis.worktime.models import SlaPolicy

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
REPORTED = datetime(2026, 6, 1, 9, tzinfo=SH)  # a Monday
PNG = bytes.fromhex("89504E470D0A1A0A0000000D49484452") + b"\x00" * 32


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(REPORTED + timedelta(minutes=5), tick=False)
    return time_machine


@pytest.fixture
def triaged(org, ticket_for, clock):
    """An urgent ticket: 4 natural hours, warned at 75 % (3 hours)."""
    t = ticket_for(REPORTED)
    return services.ticket_triage(ticket=t, actor=org["aftersales"], severity=SlaPolicy.objects.get(name="紧急"))


def _page(client, user, ticket):
    client.force_login(user)
    response = client.get(reverse("aftersales:ticket", args=[ticket.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_triaged_ticket_offers_assignment_and_dispatch(client, org, triaged):
    body = _page(client, org["aftersales_manager"], triaged)
    assert "指派售后人员" in body and 'id="assign-form"' in body and 'id="dispatch-form"' in body
    assert 'id="reassign-card"' not in body and ">开始处理</button>" not in body and "确认关闭" not in body


def test_an_assigned_ticket_has_no_assign_card(client, org, triaged):
    t = services.ticket_assign(ticket=triaged, actor=org["aftersales"], to=org["aftersales"])
    body = _page(client, org["aftersales"], t)  # the assignee
    assert "指派售后人员" not in body and 'id="assign-form"' not in body and 'id="dispatch-form"' not in body
    assert ">开始处理</button>" in body
    # the manager may still hand it on, behind 改派, and has nothing of the assignee's to do
    body = _page(client, org["aftersales_manager"], t)
    assert "指派售后人员" not in body and 'id="reassign-card"' in body and ">开始处理</button>" not in body


def test_waiting_and_resolved_tickets_show_only_their_own_steps(client, org, triaged):
    me = org["aftersales"]
    t = services.ticket_assign(ticket=triaged, actor=me, to=me)
    t = services.ticket_start(ticket=t, actor=me)
    t = services.ticket_pause(ticket=t, actor=me, reason="等待客户提供日志")
    body = _page(client, org["aftersales_manager"], t)
    assert 'id="reassign-card"' not in body and 'id="assign-form"' not in body
    assert "计时暂停中（剩余" in body and "sla-paused" in body
    body = _page(client, me, t)
    assert "客户已回复，继续处理" in body and ">开始处理</button>" not in body
    t = services.ticket_resolve(ticket=t, actor=me, resolution="更换证书")
    body = _page(client, me, t)
    assert "确认关闭" in body and "已解决</button>" not in body and 'id="sla-countdown"' not in body


@pytest.mark.parametrize(
    ("after", "level"),
    [
        (timedelta(hours=1), "sla-ok"),
        (timedelta(hours=3, minutes=10), "sla-warn"),
        (timedelta(hours=5), "sla-breached"),
    ],
)
def test_the_countdown_turns_amber_at_the_warning_point_and_red_at_breach(client, org, triaged, clock, after, level):
    clock.move_to(REPORTED + after, tick=False)
    body = _page(client, org["aftersales"], triaged)
    assert f'class="sla-countdown {level}"' in body
    assert 'data-due="2026-06-01T13:00:00+08:00"' in body and 'data-warn="2026-06-01T12:00:00+08:00"' in body


def test_the_project_is_a_link_only_for_those_who_may_open_it(client, org, triaged):
    url = triaged.project.get_absolute_url()
    pm = org["regional_pm"]  # dispatched on site: the PM of the project's region opens the project
    t = services.ticket_assign(ticket=triaged, actor=org["aftersales_manager"], to=pm, dispatch=True)
    assert f'href="{url}"' in _page(client, pm, t)
    assert f'href="{url}"' not in _page(client, org["aftersales_manager"], t)  # not on the project


def test_a_reply_with_a_screenshot_appears_in_the_conversation(client, org, triaged):
    client.force_login(org["aftersales"])
    response = client.post(
        reverse("aftersales:ticket_reply", args=[triaged.pk]),
        {
            "body": "已复现，截图见附件",
            "doc_type": DocumentType.objects.get(code="ticket-screenshot").pk,
            "files": [SimpleUploadedFile("报错.png", PNG)],
        },
    )
    comment = TicketComment.objects.get(ticket=triaged)
    assert response.status_code == 302 and response["Location"].endswith(f"#comment-{comment.pk}")
    body = _page(client, org["aftersales_manager"], triaged)
    assert "已复现，截图见附件" in body and "梁售后" in body and "报错.png" in body


def test_a_refused_reply_comes_back_with_what_was_typed(client, org, triaged):
    client.force_login(org["aftersales"])
    response = client.post(
        reverse("aftersales:ticket_reply", args=[triaged.pk]),
        {
            "body": "日志在附件里",
            "doc_type": DocumentType.objects.get(code="ticket-log").pk,
            "files": [SimpleUploadedFile("server.exe", b"MZ\x90\x00" + b"\x00" * 64)],
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and "不支持的文件类型" in body and "日志在附件里" in body
    assert not TicketComment.objects.exists()


def test_internal_notes_are_not_on_the_page_of_someone_outside_the_internal_side(client, org, triaged):
    from django.contrib.auth.models import Group

    services.ticket_comment_add(ticket=triaged, actor=org["aftersales_manager"], body="内部：优先处理", internal=True)
    t = services.ticket_assign(ticket=triaged, actor=org["aftersales"], to=org["aftersales"])
    assert "内部：优先处理" in _page(client, org["aftersales"], t)
    org["aftersales"].groups.set([Group.objects.get(name="implementer")])  # moved on, still the assignee
    body = _page(client, org["aftersales"], t)
    assert "内部：优先处理" not in body and 'name="internal"' not in body


def test_the_manager_list_opens_on_every_open_ticket_and_staff_on_their_own(client, org, triaged):
    client.force_login(org["aftersales_manager"])
    response = client.get(reverse("aftersales:tickets"))
    body = response.content.decode()
    assert response.context["queue"] == "open" and triaged.number in body
    assert 'href="?queue=open" class="current"' in body
    client.force_login(org["aftersales"])
    response = client.get(reverse("aftersales:tickets"))
    assert response.context["queue"] == "mine" and triaged.number not in response.content.decode()


def test_the_levels_offered_are_the_four_and_an_added_one_not_the_transfer_measure(client, org, ticket_for, clock):
    """Triage and the queue's filter offer 紧急 / 严重 / 中等 / 一般, shortest first, and a level an
    admin adds at once; never 技术支持转单时长 (003's transfer measure, coded ticket-transfer),
    which the service refuses as a level too."""
    from approvals.errors import DomainError
    from pmis.worktime.models import Clock

    ticket = ticket_for(REPORTED)
    page = _page(client, org["aftersales"], ticket)
    triage = page.split('name="severity"', 1)[1].split("</select>", 1)[0]
    offered = [label.split("<", 1)[0] for label in triage.split('">')[2:]]
    assert offered == ["紧急", "严重", "中等", "一般"]
    SlaPolicy.objects.create(code="ticket-minor", name="轻微", clock=Clock.NATURAL, duration_minutes=14 * 24 * 60)
    queue = client.get(reverse("aftersales:tickets")).content.decode()
    level_filter = queue.split('name="severity"', 1)[1].split("</select>", 1)[0]
    assert "轻微" in level_filter and "技术支持转单时长" not in level_filter
    assert level_filter.index("一般") < level_filter.index("轻微")
    transfer = SlaPolicy.objects.get(code="ticket-transfer")
    with pytest.raises(DomainError):
        services.ticket_triage(ticket=ticket, actor=org["aftersales"], severity=transfer)
