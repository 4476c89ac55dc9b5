"""The ticket page as a service desk, on a desk (1440 px) and a phone (390 px): a reply with a
screenshot lands in the conversation, and the countdown turns amber at the warning point while
the page is open, and red past the due time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from aftersales import services
from aftersales.models import Ticket, TicketComment
from pmis.worktime.models import SlaPolicy
from tests.projects.conftest import dispatched, project, upload  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PNG = bytes.fromhex("89504E470D0A1A0A0000000D49484452") + b"\x00" * 32


def _urgent(org, project, reported_ago: timedelta, subject: str) -> Ticket:  # noqa: F811
    """An urgent ticket (4 natural hours, warned at 75 %) reported `reported_ago` before now."""
    ticket = services.ticket_create(
        project=project,
        actor=org["aftersales"],
        data={
            "subject": subject, "reporting_unit": "某某地铁信息中心", "reporter": "张工",
            "reported_at": timezone.now() - reported_ago, "channel": Ticket.Channel.PHONE, "description": "报错 500",
        },
    )  # fmt: skip
    ticket = services.ticket_triage(ticket=ticket, actor=org["aftersales"], severity=SlaPolicy.objects.get(name="紧急"))
    return services.ticket_assign(ticket=ticket, actor=org["aftersales"], to=org["aftersales"])


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_reply_with_a_screenshot_and_the_countdown_colours(page, live_server, org, project, login, width, height):  # noqa: F811
    page.set_viewport_size({"width": width, "height": height})
    # the warning point (3 hours) is a few seconds away
    nearly = _urgent(org, project, timedelta(hours=3) - timedelta(seconds=6), "签章服务无法登录")
    late = _urgent(org, project, timedelta(hours=4, minutes=10), "证书到期无法签章")

    login(page, "aftersales")
    page.goto(f"{live_server.url}{nearly.get_absolute_url()}")
    countdown = page.locator("#sla-countdown")
    assert countdown.get_attribute("data-level") == "ok"
    assert "剩余" in countdown.inner_text()
    page.screens.shot(f"{width}-countdown-green")
    page.wait_for_selector("#sla-countdown.sla-warn", timeout=20_000)  # turns amber while the page is open
    amber = countdown.evaluate("el => getComputedStyle(el).color")
    page.screens.shot(f"{width}-countdown-amber")

    # a reply with a screenshot
    page.fill("#id_body", "已远程复现，报错截图见附件")
    page.select_option("#id_doc_type", label="问题截图")
    page.set_input_files("#id_files", files=[{"name": "报错.png", "mimeType": "image/png", "buffer": PNG}])
    page.click("#reply-form button[type=submit]")
    page.wait_for_selector(".conversation .comment")
    reply = page.locator(".conversation .comment").first
    assert "已远程复现，报错截图见附件" in reply.inner_text() and "梁售后" in reply.inner_text()
    assert reply.locator("a", has_text="报错.png").count() == 1
    assert TicketComment.objects.get(ticket=nearly).attachments.count() == 1
    page.screens.shot(f"{width}-reply")
    if width < 500:  # the phone layout: nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1

    page.goto(f"{live_server.url}{late.get_absolute_url()}")
    assert page.locator("#sla-countdown").get_attribute("data-level") == "breached"
    assert "已超时" in page.locator("#sla-countdown").inner_text()
    red = page.locator("#sla-countdown").evaluate("el => getComputedStyle(el).color")
    assert red != amber
    page.screens.shot(f"{width}-countdown-red")
