"""A cloud product order from filing to the service opened (000 §3.2), in the browser: sales files
it, 商务管理部 checks licence and payment and assigns 运营客服组, which opens the service and
records what was opened; the order's page read on a desktop and on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pmis.catalog.models import Product
from success.models import CloudOrder, Licence
from tests.browser.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_cloud_order_goes_from_filing_to_the_service_opened(page, login, live_server, org, browser, demo_password):
    today = timezone.localdate()
    login(page, "sales")
    page.goto(f"{live_server.url}/success/orders/new/")
    page.fill("#id_customer_name", "某某市人民医院")
    page.fill("#id_licence_starts_on", today.isoformat())
    page.fill("#id_licence_ends_on", (today + timedelta(days=365)).isoformat())
    page.select_option("#id_payment", "paid")
    page.fill("#id_amount", "36000")
    page.select_option("#id_items-0-product", str(Product.objects.get(name="云签章").pk))
    page.fill("#id_items-0-quantity", "5")
    page.screens.shot("filing")
    page.click("#order-form button[type=submit]")
    page.wait_for_selector("#order-state")
    assert page.inner_text("#order-state") == "待商务审核"
    order = CloudOrder.objects.get()

    # 商务管理部: returning without a reason is refused and keeps the form
    login(page, "business_approver")
    page.goto(f"{live_server.url}{order.get_absolute_url()}")
    page.select_option("#id_decision", "approve")
    page.check("#id_licence_ok")
    page.click("#review-form button[type=submit]")
    page.wait_for_selector("#action-error")
    assert "授权与收款" in page.inner_text("#action-error")
    assert page.is_checked("#id_licence_ok")
    page.check("#id_payment_ok")
    page.select_option("#id_team", "cs_ops")
    page.fill("#id_comment", "授权与首年款已核实")
    page.screens.shot("business-review")
    page.click("#review-form button[type=submit]")
    page.wait_for_selector("#order-state:has-text('待开通服务')")

    # 运营客服组 opens the service
    login(page, "cs_ops")
    page.goto(f"{live_server.url}/success/ops/")
    page.click(f"#pending-orders a:has-text('{order.number}')")
    page.fill("#id_opened_note", "已开通云签章企业账号 1 个、签章授权 5 个")
    page.click("#open-form button[type=submit]")
    page.wait_for_selector("#order-state:has-text('已开通')")
    assert "签章授权 5 个" in page.inner_text("#opened-note")
    assert "云签章 × 5" in page.inner_text("#order-licences")
    order.refresh_from_db()
    assert order.state == CloudOrder.State.OPENED
    assert Licence.objects.get(cloud_order=order).quantity == 5

    # the opened order at 1440 and 390 px: no horizontal scroll on the phone
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in (1440, 390):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        phone = context.new_page()
        login(phone, "sales")
        phone.goto(f"{live_server.url}{order.get_absolute_url()}")
        phone.wait_for_selector("#order-state")
        phone.screenshot(path=str(ARTIFACTS / f"cloud-order-opened-{width}.png"), full_page=True)
        assert phone.evaluate("document.documentElement.scrollWidth <= innerWidth"), width
        context.close()
