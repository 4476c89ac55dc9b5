"""A sales user files a local registration with an unsigned contract; it travels sales manager →
north leader → business approver → the project directors' inbox, each step clicked by the right
demo user in Chromium."""

import pytest

from pmis.worktime.services import sla_policies_seed
from registrations.models import Registration, State
from tests.conftest import PDF
from tests.dates import days_from_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_from_inbox(page, live_server, title):
    page.goto(f"{live_server.url}/approvals/inbox/")
    page.get_by_role("link", name=title).click()
    page.wait_for_selector("#decision")


def _approve(page, comment, checks=()):
    for label in checks:
        page.get_by_label(label).check()
    page.get_by_label("通过").check()
    page.fill("#id_comment", comment)
    page.click("#decision button[type=submit]")
    page.wait_for_selector(".messages")


def test_local_special_registration_travels_the_whole_chain(page, live_server, demo, login, tmp_path):
    sla_policies_seed()
    title = "京北轨交电子签章项目立项申请"

    # 1. Sales files the registration.
    login(page, "sales")
    page.click("text=新建登记")
    page.click("text=本地化项目 · 实施登记")
    page.fill("#id_customer_name", "京北市轨道交通集团有限公司")
    page.fill("#id_customer_short_name", "京北轨交")
    page.select_option("#id_product_line", label="电子签章")
    page.select_option("#id_region", label="北方")
    page.select_option("#id_province", label="北京")
    page.fill("#id_user_scale", "约 8000 人")
    page.fill("#id_signing_volume", "每年约 40 万份")
    page.fill("#id_seal_count", "200")
    page.select_option("#id_enterprise_nature", label="国有企业")
    page.fill("#id_main_business", "城市轨道交通运营")
    page.get_by_label("电子印章认证").check()
    page.get_by_label("时间戳").check()
    page.select_option("#id_certificate_form", label="云证书")
    page.fill("#id_certificate_vendor", "CFCA")
    page.select_option("#id_seal_handling", label="本地印章管理平台")
    page.get_by_label("人事").check()
    page.get_by_label("OA公文").check()
    page.select_option("#id_systems-0-system_type", "OA")
    page.fill("#id_systems-0-vendor", "蓝凌")
    page.fill("#id_stakeholders-0-name", "刘主任")
    page.fill("#id_stakeholders-0-phone", "13812345678")
    page.fill("#id_stakeholders-0-role", "信息中心主任")
    page.fill("#id_go_live_date", days_from_today(100))
    page.screens.shot("sales-form")
    page.click("button[value=submit]")
    # Without the solution document it cannot go yet; what was typed is kept.
    assert "售前解决方案" in page.locator("#missing-summary").inner_text()
    assert page.input_value("#id_customer_short_name") == "京北轨交"
    page.screens.shot("sales-missing-attachment")

    solution = tmp_path / "售前解决方案.pdf"
    solution.write_bytes(PDF)
    page.select_option("select[name=doc_type]", label="售前解决方案")
    page.set_input_files("input[type=file]", str(solution))
    page.click("form.upload-form button[type=submit]")
    assert "已上传售前解决方案" in page.locator(".messages").inner_text()
    page.click("button[value=submit]")
    page.wait_for_selector(".state")
    assert "待销售主管审批" in page.locator(".state").first.inner_text()
    assert page.locator("h1").inner_text() == title
    page.screens.shot("sales-submitted")
    registration = Registration.objects.get(customer_short_name="京北轨交")
    assert registration.special and registration.number.startswith("SD")

    # 2. The sales manager of the team.
    login(page, "sales_manager")
    _open_from_inbox(page, live_server, f"{registration.number} {title}")
    page.screens.shot("sales-manager-detail")
    _approve(page, "客户重点项目，同意特批")
    assert "待特批领导审批" in page.locator(".state").first.inner_text()

    # 3. The north special approver (the south one never sees it).
    login(page, "special_approver_south")
    page.goto(f"{live_server.url}/approvals/inbox/")
    assert title not in page.content()
    login(page, "special_approver")
    _open_from_inbox(page, live_server, f"{registration.number} {title}")
    page.screens.shot("north-leader-detail")
    _approve(page, "同意，尽快签约")

    # 4. The business approver, with the review checklist.
    login(page, "business_approver")
    _open_from_inbox(page, live_server, f"{registration.number} {title}")
    page.screens.shot("business-detail")
    _approve(
        page,
        "商务审核通过",
        checks=(
            "已核实项目合同状态",
            "已核实首笔款项支付状态",
            "已比对《用户需求采集表》与合同产品清单 / 服务内容",
            "已审核实施范围与产品定价",
        ),
    )
    assert "已派发，待立项" in page.locator(".state").first.inner_text()
    page.screens.shot("business-approved")

    # 5. It waits in the project directors' inbox.
    login(page, "project_director")
    page.goto(f"{live_server.url}/approvals/inbox/")
    row = page.locator("#inbox tr", has_text=title)
    assert "立项" in row.inner_text()
    page.screens.shot("director-inbox")
    registration.refresh_from_db()
    assert registration.state == State.DISPATCHED

    # The sales user was told at each step.
    login(page, "sales")
    page.goto(f"{live_server.url}/notifications/")
    notices = page.locator(".notice-list").inner_text()
    for step in ("销售主管审批通过", "特批领导审批通过", "商务审批通过"):
        assert step in notices
    page.screens.shot("sales-notifications")
