"""An incident on a project in maintenance: the PM reports it from the project's 突发事件 tab, it is
not solved within 10 minutes and the sweep escalates it to the 应急小组, whose member finds it in
the inbox; the outage clock proposes 二级; service is restored, the PM writes the 事故报告, the
应急小组 archives it. Screenshots at 1440 px and at 390 px (the phone)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from operations import services
from operations.models import Incident
from tests.browser.conftest import ARTIFACTS
from tests.operations.conftest import make_live_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _phone_shot(browser, live_server, demo_password, url, name):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone = context.new_page()
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("#id_username", "emergency")
    phone.fill("#id_password", demo_password)
    phone.click("button[type=submit]")
    phone.wait_for_selector(".user-name")
    phone.goto(f"{live_server.url}{url}")
    assert phone.evaluate("document.documentElement.scrollWidth <= innerWidth"), name
    phone.screenshot(path=str(ARTIFACTS / f"test_incident_escalation_to_report-{name}-390.png"), full_page=True)
    context.close()


def test_incident_escalation_to_report(page, browser, live_server, org, login, demo_password):
    project = make_live_project(org)
    login(page, "regional_pm")
    page.goto(f"{live_server.url}/projects/{project.pk}/tabs/incidents/")
    page.click("#tab-incidents a:has-text('登记突发事件')")
    page.fill("#id_title", "签章服务全部超时")
    page.fill("#id_reporter", "信息科张工")
    page.select_option("#id_channel", "phone")
    page.fill("#id_symptoms", "全院各科室签章均超时，业务暂停")
    page.screens.shot("report-form")
    page.click("#incident-form button[type=submit]")
    assert "处理中" in page.locator("#incident-state").inner_text()
    incident = Incident.objects.get()

    # ten minutes later it is still down: the minute sweep escalates it (the beat, run by hand here)
    services.incidents_sweep(now=timezone.now() + timedelta(minutes=21))
    login(page, "emergency")
    page.goto(f"{live_server.url}/approvals/inbox/")
    assert "应急小组协调处理" in page.content()
    page.screens.shot("inbox-emergency")
    page.goto(f"{live_server.url}{incident.get_absolute_url()}")
    assert "已升级应急小组" in page.locator("#incident-state").inner_text()
    assert "建议升级为二级" in page.locator("#incident-level").inner_text()
    page.screens.shot("escalated")
    _phone_shot(browser, live_server, demo_password, incident.get_absolute_url(), "escalated")
    page.select_option("#id_level", "2")
    page.click("#level-form button[type=submit]")
    assert "二级" in page.locator("#incident-level").inner_text()
    page.fill("#recover-form textarea", "切换至备用签章节点，服务恢复")
    page.click("#recover-form button[type=submit]")
    assert "已恢复" in page.locator("#incident-state").inner_text()

    # the PM writes the 事故报告
    login(page, "regional_pm")
    page.goto(f"{live_server.url}{incident.get_absolute_url()}")
    page.fill("#id_cause", "主签章节点磁盘写满")
    page.fill("#id_fix", "清理日志并切换备用节点")
    page.fill("#id_process", "告警后 5 分钟定位，切换备用节点后恢复")
    page.fill("#id_prevention", "日志轮转与磁盘告警")
    page.screens.shot("report")
    page.click("#report-form button[type=submit]")
    assert "事故报告待审阅" in page.locator("#incident-state").inner_text()

    # the 应急小组 reviews and archives it
    login(page, "emergency")
    page.goto(f"{live_server.url}{incident.get_absolute_url()}")
    page.select_option("#id_decision", "approve")
    page.click("#review-form button[type=submit]")
    assert "已归档" in page.locator("#incident-state").inner_text()
    assert "主签章节点磁盘写满" in page.locator("#incident-report").inner_text()
    page.screens.shot("archived")
    _phone_shot(browser, live_server, demo_password, incident.get_absolute_url(), "archived")
    incident.refresh_from_db()
    assert incident.state == Incident.State.ARCHIVED
