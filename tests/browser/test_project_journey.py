"""The director initiates the project a registration was dispatched for, the PM assigns an
implementer, the implementer files a product request that travels to the product department
and comes back with a licence file."""

import pytest

from projects.models import ProductRequest, Project
from registrations.services import registration_decide, registration_submit
from tests.browser.pickers import pick
from tests.conftest import CHECKED
from tests.dates import days_from_today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_initiation_assignment_and_product_request(page, live_server, org, make_registration, login, tmp_path):
    r = registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])
    for user in ("sales_manager", "special_approver"):
        r = registration_decide(registration=r, actor=org[user], decision="approve")
    r = registration_decide(registration=r, actor=org["business_approver"], decision="approve", review=CHECKED)

    # 1. The director initiates from the inbox; the regional PM of the north is suggested.
    login(page, "project_director")
    page.goto(f"{live_server.url}/approvals/inbox/")
    page.get_by_role("link", name=f"{r.number} {r.title}").click()
    page.get_by_role("link", name="立项", exact=True).click()
    assert page.locator("#id_pm").input_value().startswith("郑北辰")
    page.fill("#id_feasibility", "标准产品可满足，OA 对接走标准接口")
    page.fill("#id_risk", "首付款未到，需跟进回款")
    pick(page, "#id_implementers", "钱实")
    page.select_option("#id_size", label="小项目")
    page.fill("#id_meeting_date", days_from_today(-3))
    page.get_by_label("客户公司背景说明").check()
    page.screens.shot("director-initiation")
    page.click("text=确认立项")
    page.wait_for_selector("#project-state")
    project = Project.objects.get(registration=r)
    assert "已立项" in page.locator("#project-state").inner_text()
    page.screens.shot("project-page")

    # 2. The regional PM assigns an implementation task.
    login(page, "regional_pm")
    page.goto(f"{live_server.url}{project.get_absolute_url()}")
    page.get_by_role("tab", name="任务").click()  # the tab arrives through htmx, its picker awake
    page.wait_for_url(f"**/projects/{project.pk}/tabs/tasks/")
    page.select_option("#assign-form select[name=type]", label="产品验证")
    page.fill("#assign-form input[name=title]", "客户测试环境产品验证")
    pick(page, "#assign-form [data-picker-input]", "钱实")
    page.click("#assign-form button[type=submit]")
    assert "实施任务已指派" in page.locator(".messages").inner_text()
    page.screens.shot("pm-assigned")

    # 3. The implementer accepts it and files a product request.
    login(page, "implementer")
    page.goto(f"{live_server.url}/approvals/inbox/")
    page.get_by_role("link", name=f"{project.name}：客户测试环境产品验证").click()
    page.click("#tasks button[value=accept]")
    page.get_by_role("tab", name="产品领取").click()
    page.click("text=提交产品领取单")
    page.select_option("#id_items-0-product", label="电子印章认证")
    page.fill("#id_items-0-version", "V5.2")
    page.fill("#id_items-0-licence_count", "20")
    page.screens.shot("implementer-product-request")
    page.click("text=提交审核")
    assert "待区域项目经理审核" in page.locator("#pr-state").inner_text()
    pr = ProductRequest.objects.get(project=project)
    assert pr.registration_number == r.number

    # 4. Regional PM, then business approve it.
    for username in ("regional_pm", "business_approver"):
        login(page, username)
        page.goto(f"{live_server.url}{pr.get_absolute_url()}")
        page.click("#decision button.primary")
        page.wait_for_selector(".messages")
    assert "待产品部发放" in page.locator("#pr-state").inner_text()

    # 5. The product department uploads the licence file and fills the download path.
    login(page, "product_dept")
    page.goto(f"{live_server.url}/approvals/inbox/")
    page.get_by_role("link", name=f"{pr.number} {project.name}").click()
    licence = tmp_path / "授权.lic"
    licence.write_bytes(b"\x8a\x01LICENSE-20\x00")
    page.select_option("#licences select[name=doc_type]", label="产品授权文件")
    page.set_input_files("#licences input[type=file]", str(licence))
    page.click("#licences button[type=submit]")
    assert "已上传产品授权文件" in page.locator(".messages").inner_text()
    page.fill(f"input[name=path_{pr.items.get().pk}]", "/download/seal/V5.2")
    page.click("#issue-form button[type=submit]")
    assert "已发放" in page.locator("#pr-state").inner_text()
    page.screens.shot("product-issued")

    # 6. The implementer downloads the licence and confirms receipt.
    login(page, "implementer")
    page.goto(f"{live_server.url}{pr.get_absolute_url()}")
    with page.expect_download() as download:
        page.click("#licences a:has-text('授权.lic')")
    assert download.value.suggested_filename == "授权.lic"
    page.click("text=已下载，确认领取")
    assert "已领取" in page.locator("#pr-state").inner_text()
    page.screens.shot("implementer-received")
