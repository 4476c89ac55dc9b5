import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_role_logs_in_and_sees_a_chinese_layout(page, live_server, demo, login):
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert page.locator("h1").inner_text() == "PMIS 项目管理平台"
    page.screens.shot("login")

    login(page, "sales")
    assert page.locator(".user-name").inner_text() == "王晓明"
    nav = page.locator(".sidebar nav").inner_text()
    assert "工作台" in nav and "产品目录维护" not in nav
    page.screens.shot("sales-home")

    login(page, "product_dept")
    assert "产品目录维护" in page.locator(".sidebar nav").inner_text()
    page.click("text=产品目录")
    assert page.locator("table").inner_text().count("悦文云文档") == 1
    page.screens.shot("product-catalogue")


def test_wrong_password_shows_chinese_error_and_keeps_the_username(page, live_server, demo):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "sales")
    page.fill("#id_password", "not-it")
    page.click("button[type=submit]")
    assert "账号或密码不正确" in page.locator(".form-error").inner_text()
    assert page.input_value("#id_username") == "sales"
    page.screens.shot("wrong-password")
