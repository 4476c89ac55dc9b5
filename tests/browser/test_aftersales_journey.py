"""The journey's end: the accepted project is handed over and audited by 系统服务部, the news
appears, and an urgent ticket is filed, dispatched to the regional PM and resolved."""

import pytest

from aftersales.models import Ticket
from projects import services
from projects.gates import ACCEPTANCE_DOCUMENTS
from projects.models import State
from tests.browser.pickers import pick
from tests.projects.conftest import dispatched, project, upload  # noqa: F401
from tests.walk import ready_for_handover

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_handover_news_and_an_urgent_ticket(page, live_server, org, project, upload, login):  # noqa: F811
    pm = org["regional_pm"]
    upload(project, "requirement-confirmation")
    services.requirements_confirm(project=project, actor=pm)
    project = ready_for_handover(org, project, upload, skip=(ACCEPTANCE_DOCUMENTS[-1],))

    # The PM sees the gate name the missing document, uploads it and hands over.
    login(page, "regional_pm")
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    assert "实施基本信息登记表" in page.locator("#next-action").inner_text()
    assert "实施基本信息登记表" in page.locator("#gate .missing").inner_text()
    page.screens.shot("gate-missing-one")
    upload(project, ACCEPTANCE_DOCUMENTS[-1])
    page.reload()
    page.click("#next-action a:has-text('提交移交')")
    assert page.locator("#id_route option").all_inner_texts() == ["系统服务部（本地化 / 内网项目）"]
    page.fill("#id_note", "验收资料齐全，请系统服务部接收")
    page.screens.shot("handover-form")
    page.click("#handover-form button[type=submit]")
    assert "待接收方审核材料" in page.locator("#handover-state").inner_text()

    # 系统服务部 audits every material from the inbox and accepts.
    login(page, "aftersales")
    page.goto(f"{live_server.url}/approvals/inbox/")
    page.get_by_role("link", name=f"{project.code} {project.name}").click()
    for select in page.locator("#audit-form select").all():
        select.select_option("ok")
    page.screens.shot("handover-audit")
    page.click("#audit-form button[type=submit]")
    assert "已接收" in page.locator("#handover-state").inner_text()
    project.refresh_from_db()
    assert project.state == State.MAINTENANCE
    page.goto(f"{live_server.url}/projects/news/")
    news = page.locator("#news").inner_text()
    assert "某某市轨道交通集团有限公司电子签章项目已完成移交" in news and "项目项目" not in news
    page.screens.shot("news")

    # An urgent ticket: filed, triaged, dispatched by the manager to the north PM, resolved.
    page.goto(f"{live_server.url}/aftersales/tickets/new/?project={project.code}")
    page.fill("#id_subject", "签章服务无法登录")
    page.fill("#id_reporting_unit", "某某地铁信息中心")
    page.fill("#id_reporter", "张工")
    page.select_option("#id_channel", label="电话")
    page.fill("#id_description", "全部用户登录时报错，业务中断")
    page.click("#ticket-form button[type=submit]")
    page.select_option("#triage-form select", label="紧急")
    page.click("#triage-form button[type=submit]")
    ticket = Ticket.objects.get()
    assert ticket.severity.name == "紧急" and ticket.due_at is not None
    assert page.locator("#ticket-severity").inner_text() == "紧急（自然时间（7×24），4 小时）"
    assert "（工作时间，4 小时）" in page.locator("#ticket-response").inner_text()
    page.screens.shot("ticket-triaged")

    login(page, "aftersales_manager")
    page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    pick(page, "#dispatch-form [data-picker-input]", "郑北辰")
    page.click("#dispatch-form button[type=submit]")
    assert "已指派" in page.locator("#ticket-state").inner_text()

    login(page, "regional_pm")
    page.goto(f"{live_server.url}/aftersales/tickets/?queue=mine")
    page.get_by_role("link", name="签章服务无法登录").click()
    page.click("text=开始处理")
    page.fill("#resolution", "现场排查，证书过期，已更新证书并重启服务")
    page.click("#resolve-form button[type=submit]")
    assert "已解决" in page.locator("#ticket-state").inner_text()
    page.screens.shot("ticket-resolved")

    login(page, "aftersales")
    page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    page.fill("#confirmation", "电话回访，客户确认恢复")
    page.click("#close-form button[type=submit]")
    assert "已关闭" in page.locator("#ticket-state").inner_text()
    ticket.refresh_from_db()
    assert ticket.sla_met is True and ticket.dispatched_to_pm
