"""After go-live: a ticket on a project in maintenance becomes a 需求变更, which goes through the
customer's first review, the PM's evaluation, the 需求组长's work and the 质量人员's verification
to a 版本发布 — tested, signed off, consented, released, verified and watched for an hour — and is
confirmed by its requester. Screenshots at 1440 and 390 px."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from aftersales import services as aftersales_services
from changes.models import ChangeRequest, Release
from changes.services.releases import next_windows, release_windows_seed
from projects.models import State
from tests.aftersales.conftest import accepted, dispatched, project, ticket_for, upload  # noqa: F401
from tests.browser.pickers import pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _both_widths(page, label):
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screens.shot(f"{label}-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screens.shot(f"{label}-390")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), label
    page.set_viewport_size({"width": 1440, "height": 900})


def _act(page, action, fields=None, choose=None):
    form = f"#action-{action} form"
    for name, value in (choose or {}).items():
        page.check(f"{form} input[name='{action}-{name}'][value='{value}']")
    for name, value in (fields or {}).items():
        page.fill(f"#id_{action}-{name}", value)
    page.click(f"{form} button[type=submit]")


def test_a_ticket_becomes_a_change_released_and_confirmed(page, live_server, org, accepted, ticket_for, login):  # noqa: F811
    release_windows_seed()  # a transactional test before this one may have emptied the table
    handover = aftersales_services.handover_submit(project=accepted, actor=org["regional_pm"], note="请接收")
    handover = aftersales_services.handover_audit(
        handover=handover, actor=org["aftersales"], verdicts={i.pk: ("ok", "") for i in handover.items.all()}
    )
    accepted.refresh_from_db()
    assert accepted.state == State.MAINTENANCE
    ticket = ticket_for(timezone.now(), subject="合同审批希望增加法务会签")

    # 系统服务部 files the change from the ticket
    login(page, "aftersales")
    page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    page.click("#ticket-follow-ups a:has-text('需求变更')")
    page.select_option("#id_kind", "new")
    page.fill("#id_proposer", "李科长")
    page.fill("#id_description", "合同金额超过 50 万元时增加法务会签节点")
    _both_widths(page, "change-form")
    page.click("#change-form button[type=submit]")
    cr = ChangeRequest.objects.get()
    assert cr.ticket == ticket and "待用户方初审" in page.locator("#record-state").inner_text()

    # the PM records the customer's first review (due in one working day) and evaluates it
    login(page, "regional_pm")
    page.goto(f"{live_server.url}{cr.get_absolute_url()}")
    _both_widths(page, "change-review")
    _act(page, "review", {"answer": "信息中心同意"}, {"approved": "yes"})
    page.select_option("#id_evaluate-size", "small")
    _act(page, "evaluate", {
        "impact": "仅影响合同审批流", "person_days": "2",
        "planned_date": (timezone.localdate() - timedelta(days=1)).isoformat(),
    })  # fmt: skip
    assert "实施完成日期不能早于今天" in page.content()  # refused, what was typed kept
    assert page.input_value("#id_evaluate-impact") == "仅影响合同审批流"
    page.fill("#id_evaluate-planned_date", (timezone.localdate() + timedelta(days=10)).isoformat())
    page.click("#action-evaluate button[type=submit]")
    assert "需求组长实施中" in page.locator("#record-state").inner_text()

    # the 需求组长 designs and builds it; the 质量人员 verifies it
    login(page, "requirement_lead")
    page.goto(f"{live_server.url}/approvals/inbox/")
    page.get_by_role("link", name=f"{cr.number} {cr.title}（{accepted.name}）").click()
    _act(page, "work", {"design_note": "审批流新增法务会签节点"})
    login(page, "quality")
    page.goto(f"{live_server.url}{cr.get_absolute_url()}")
    _act(page, "verify", {"note": "会签顺序与金额阈值正确"}, {"passed": "yes"})
    assert "待提交发布申请" in page.locator("#record-state").inner_text()

    # the 需求组长 files the release for the next regular window
    login(page, "requirement_lead")
    page.goto(f"{live_server.url}{cr.get_absolute_url()}")
    page.click("#release-request a")
    window = next_windows(timezone.now())[0]
    page.fill("#id_version", "V3.6.3")
    page.fill("#id_planned_at", timezone.localtime(window.release_from()).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_change_notes", "合同审批新增法务会签")
    assert "周一、周四" in page.locator("#release-windows").inner_text()
    _both_widths(page, "release-form")
    page.click("#release-form button[type=submit]")
    release = Release.objects.get()
    assert not release.emergency and release.change_request == cr

    # the PM assigns the tester, who tests; the PM signs off and records the customer's consent
    login(page, "regional_pm")
    page.goto(f"{live_server.url}{release.get_absolute_url()}")
    pick(page, "#action-assign [data-picker-input]", "秦质量")
    page.click("#action-assign button[type=submit]")
    login(page, "quality")
    page.goto(f"{live_server.url}{release.get_absolute_url()}")
    _act(page, "test", {"result": "回归测试通过"}, {"passed": "yes"})
    login(page, "regional_pm")
    page.goto(f"{live_server.url}{release.get_absolute_url()}")
    _act(page, "signoff", choose={"approve": "yes"})
    _act(page, "consent", {"answer": "信息中心同意晚间发布"}, {"agreed": "yes"})
    assert "待发布" in page.locator("#record-state").inner_text()

    # the 版本发布人员 releases, verifies on line, and may end the watch only after an hour
    login(page, "releaser")
    page.goto(f"{live_server.url}{release.get_absolute_url()}")
    page.click("#action-perform button[type=submit]")
    _act(page, "verification", {"result": "登录、签章、会签均正常"})
    _act(page, "watch", {"note": "运行平稳"})
    assert "至少 1 小时" in page.content()
    Release.objects.filter(pk=release.pk).update(released_at=F("released_at") - timedelta(minutes=61))  # an hour on
    page.goto(f"{live_server.url}{release.get_absolute_url()}")
    _act(page, "watch", {"note": "运行平稳，无告警"})
    assert "待申请人确认" in page.locator("#record-state").inner_text()

    # the requester confirms: the release and the change are done
    login(page, "requirement_lead")
    page.goto(f"{live_server.url}{release.get_absolute_url()}")
    _act(page, "confirm")
    assert "已确认" in page.locator("#record-state").inner_text()
    _both_widths(page, "release-confirmed")
    cr.refresh_from_db()
    assert cr.state == ChangeRequest.State.DONE
    login(page, "regional_pm")
    page.goto(f"{live_server.url}/projects/{accepted.pk}/tabs/releases/")
    assert "V3.6.3" in page.locator("#release-list").inner_text()
    _both_widths(page, "releases-tab")
