"""Delivery control in the browser: the PM holds the kickoff and gives an action item from the
会议 tab; the acceptance report goes to the CM engineer and 客户服务部; the PM sends the
satisfaction survey and the customer answers it on a phone, without an account, once."""

import pytest

from delivery.models import ActionItem, Survey
from projects import workspace
from tests.browser.pickers import pick
from tests.dates import days_from_today
from tests.projects.conftest import dispatched, project, upload  # noqa: F401
from tests.walk import to_acceptance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


def test_kickoff_acceptance_approval_and_a_survey_answered_once(page, live_server, org, project, upload, login):  # noqa: F811
    from projects import services

    pm = org["regional_pm"]
    upload(project, "requirement-confirmation")
    services.requirements_confirm(project=project, actor=pm)
    page.set_viewport_size(DESKTOP)

    # 1. The kickoff: registered, an action item for the implementer, ended — the official start.
    login(page, "regional_pm")
    page.goto(f"{live_server.url}{workspace.tab_url(project, 'meetings')}")
    form = page.locator("#meeting-form")
    form.locator("select[name=kind]").select_option(label="项目启动会")
    form.locator("input[name=held_on]").fill(days_from_today(0))
    form.locator("input[name=attendees]").fill("客户张主任、项目组全体")
    form.locator("textarea[name=objectives]").fill("三个月内上线")
    form.locator("textarea[name=strategy]").fill("分两批上线")
    form.locator("textarea[name=plan]").fill("第 1 月部署")
    form.locator("textarea[name=rules]").fill("周一例会")
    form.locator("button[type=submit]").click()
    assert "会议已登记" in page.locator(".messages").inner_text()
    meeting = project.meetings.get()
    page.locator(f"#meeting-{meeting.pk} summary", has_text="下达行动项").click()
    action = page.locator(f"#meeting-{meeting.pk} .action-form")
    action.locator(f"input[name=act{meeting.pk}-title]").fill("索取测试环境账号")
    pick(page, f"#meeting-{meeting.pk} .action-form [data-picker-input]", "钱实")
    action.locator(f"input[name=act{meeting.pk}-due_date]").fill(days_from_today(3))
    action.locator("button[type=submit]").click()
    assert "已进入负责人的待办" in page.locator(".messages").inner_text()
    assert ActionItem.objects.get().owner == org["implementer"]
    page.locator(f"#meeting-{meeting.pk} summary", has_text="结束会议").click()
    page.locator(f"#meeting-{meeting.pk} .end-form textarea").fill("目标与计划已宣布")
    page.locator(f"#meeting-{meeting.pk} .end-form button[type=submit]").click()
    assert "正式启动" in page.locator("#project-started").inner_text()
    page.screens.shot("kickoff-1440")
    page.set_viewport_size(PHONE)
    page.screens.shot("kickoff-390")
    page.set_viewport_size(DESKTOP)

    # 2. To acceptance; the PM submits the report, the CM engineer then 客户服务部 approve it.
    project = to_acceptance(org, project, upload)
    page.goto(f"{live_server.url}{workspace.tab_url(project, 'acceptance')}")
    page.fill("#acceptance-submit-form textarea[name=note]", "验收报告已填写")
    page.click("#acceptance-submit-form button[type=submit]")
    assert "待 CM 工程师审批" in page.locator(".approval-state").first.inner_text()
    for username in ("cm_engineer", "aftersales"):
        login(page, username)
        page.goto(f"{live_server.url}{workspace.tab_url(project, 'acceptance')}")
        page.screens.shot(f"decide-{username}")
        page.click("#acceptance-decide-form button.primary")
        assert "已审批" in page.locator(".messages").inner_text()
    assert "已批准" in page.locator(".approval-state").first.inner_text()

    # 3. 市场部 sends the survey and hands the link to the customer.
    login(page, "marketing")
    page.goto(f"{live_server.url}{workspace.tab_url(project, 'satisfaction')}")
    page.fill("#survey-send-form input[name=contact]", "张主任")
    page.click("#survey-send-form button[type=submit]")
    link = page.locator(".survey-link").input_value()
    page.screens.shot("survey-sent-1440")

    # 4. The customer, on a phone and without an account, answers once.
    page.context.clear_cookies()
    page.set_viewport_size(PHONE)
    page.goto(link)
    assert "尊敬的张主任" in page.content()
    for name in ("overall", "quality", "service", "timeliness"):
        page.locator(f"input[name={name}][value='5']").check()
    page.fill("textarea[name=comment]", "实施很专业")
    page.screens.shot("survey-phone-390")
    page.click("#survey-form button[type=submit]")
    assert "感谢您的反馈" in page.content()
    page.goto(link)
    assert "只能提交一次" in page.content()
    page.screens.shot("survey-used-390")
    survey = Survey.objects.get()
    assert survey.state == Survey.State.ANSWERED and survey.overall == 5 and survey.channel == "link"
