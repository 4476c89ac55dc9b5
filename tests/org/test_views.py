import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password}, follow=True)


def _nav_labels(response):
    return {item["label"] for section in response.context["nav_sections"] for item in section["items"]}


def test_login_page_is_chinese(client):
    response = client.get(reverse("login"))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-hans"' in body
    assert "账号" in body and "密码" in body and "登录" in body


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "username",
    ["sales", "sales_manager", "special_approver_south", "business_approver", "regional_pm", "product_dept", "cs_head"],
)
def test_each_demo_user_logs_in_and_sees_their_role(client, demo, demo_password, username):
    from pmis.org.roles import ROLE_BY_CODE

    response = _login(client, username, demo_password)
    assert response.status_code == 200
    assert response.wsgi_request.user.username == username
    role_code = demo[username].groups.get().name
    assert ROLE_BY_CODE[role_code].label in response.content.decode()


def test_navigation_follows_the_role(client, demo, demo_password):
    everyone = {"工作台", "产品目录", "表单目录", "通讯录"}

    sales_nav = _nav_labels(_login(client, "sales", demo_password))
    assert everyone <= sales_nav
    assert "产品目录维护" not in sales_nav and "系统管理" not in sales_nav
    client.post(reverse("logout"))

    product_nav = _nav_labels(_login(client, "product_dept", demo_password))
    assert "产品目录维护" in product_nav and "系统管理" not in product_nav
    client.post(reverse("logout"))

    admin_nav = _nav_labels(_login(client, "admin", demo_password))
    assert {"产品目录维护", "系统管理"} <= admin_nav


def test_five_wrong_passwords_lock_the_account_with_a_chinese_message(client, demo, demo_password):
    for attempt in range(4):
        response = _login(client, "sales", "wrong-password")
        assert "账号或密码不正确" in response.content.decode(), attempt
    response = _login(client, "sales", "wrong-password")
    assert response.status_code == 429
    assert "账号已锁定" in response.content.decode()
    # The right password no longer opens the locked account.
    response = _login(client, "sales", demo_password)
    assert response.status_code == 429
    assert not response.wsgi_request.user.is_authenticated
    # Another account is not affected.
    assert _login(client, "sales2", demo_password).wsgi_request.user.username == "sales2"


def test_password_change(client, demo, demo_password):
    _login(client, "sales", demo_password)
    response = client.post(
        reverse("password_change"),
        {"old_password": demo_password, "new_password1": "Xin-mima-2026!", "new_password2": "Xin-mima-2026!"},
        follow=True,
    )
    assert "密码已修改" in response.content.decode()
    client.post(reverse("logout"))
    assert _login(client, "sales", "Xin-mima-2026!").wsgi_request.user.is_authenticated


def test_password_change_errors_are_chinese_and_keep_the_form(client, demo, demo_password):
    _login(client, "sales", demo_password)
    response = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "a", "new_password2": "b"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "旧密码" in body and "不正确" in body


def test_logout(client, demo, demo_password):
    _login(client, "sales", demo_password)
    response = client.post(reverse("logout"), follow=True)
    assert not response.wsgi_request.user.is_authenticated


def test_directory_lists_people_with_roles_in_constant_queries(client, demo):
    from pmis.org.models import Department, User
    from tests.helpers import count_queries

    client.force_login(demo["sales"])
    body = client.get(reverse("org:directory")).content.decode()
    assert "王晓明" in body and "销售主管" in body
    small = count_queries(lambda: client.get(reverse("org:directory")))
    dept = Department.objects.get(code="sales-1")
    User.objects.bulk_create([User(username=f"bulk{i}", display_name=f"批量{i}", department=dept) for i in range(60)])
    assert count_queries(lambda: client.get(reverse("org:directory"))) == small


def test_directory_filters_by_role(client, demo):
    client.force_login(demo["product_dept"])
    body = client.get(reverse("org:directory"), {"role": "special_approver"}).content.decode()
    assert "杨总" in body and "戴总" in body and "王晓明" not in body


def test_admin_is_chinese_and_lists_the_catalogue(client, demo):
    client.force_login(demo["admin"])
    body = client.get(reverse("admin:index")).content.decode()
    for label in ("组织与人员", "产品与表单目录", "区域", "部门", "用户", "产品目录", "文档类型"):
        assert label in body
    assert client.get(reverse("admin:catalog_product_changelist")).status_code == 200
    assert client.get(reverse("admin:org_region_changelist")).status_code == 200


def test_product_dept_reaches_the_catalogue_admin_but_not_users(client, demo):
    client.force_login(demo["product_dept"])
    assert client.get(reverse("admin:catalog_product_changelist")).status_code == 200
    assert client.get(reverse("admin:org_user_changelist")).status_code == 403


def test_directory_finds_by_phone_and_refuses_an_unknown_department_by_name(client, demo):
    from pmis.org.models import User

    User.objects.filter(username="cs_head").update(phone="13912345678")
    client.force_login(demo["sales"])
    page = client.get(reverse("org:directory"), {"q": "1391234"})
    assert [u.username for u in page.context["page"]] == ["cs_head"]
    refused = client.get(reverse("org:directory"), {"department": "999999"})
    assert refused.status_code == 400 and "没有这个部门" in refused.content.decode()
    assert refused.context["page"].paginator.count == 0
