"""Error pages (pmis/errors.py): Chinese, in the layout, with DEBUG off as in production."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from approvals.services import task_open
from pmis.errors import server_error
from registrations.services import registration_submit

pytestmark = pytest.mark.django_db

ENGLISH_DEFAULTS = ("Forbidden", "Not Found", "Server Error", "Bad Request", "CSRF", "DEBUG", "请设置选项")


@pytest.fixture(autouse=True)
def production_errors(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.error_urls"


def _page(response) -> str:
    body = response.content.decode()
    for english in ENGLISH_DEFAULTS:
        assert english not in body, english
    return body


def _in_layout(body: str) -> bool:
    return 'class="sidebar"' in body and 'class="topbar"' in body


# --- 403 ------------------------------------------------------------------------------------


def test_403_shows_the_reason_the_view_gave(client, org):
    client.force_login(org["sales"])
    response = client.get(reverse("projects:all"))
    assert response.status_code == 403
    body = _page(response)
    assert "只有项目总监、区域项目经理、客户成功主管、CM 工程师与公司高管可以查看全部项目" in body
    assert _in_layout(body) and "返回我的项目" in body and "返回工作台" in body


def test_403_never_shows_a_reason_not_written_for_users(client, org):
    client.force_login(org["sales"])
    response = client.get("/test-errors/refuse-internals/")
    assert response.status_code == 403
    body = _page(response)
    assert "abc123" not in body and "pid" not in body
    assert "您没有权限访问此页面或执行此操作" in body


def test_403_for_an_anonymous_visitor_is_a_chinese_card_with_the_way_to_sign_in(client):
    response = client.get("/test-errors/refuse/")
    assert response.status_code == 403
    body = _page(response)
    assert "只有项目总监可以查看该报表" in body and "登录" in body and not _in_layout(body)


def test_a_refusal_by_a_service_reaches_the_page(client, org, make_registration):
    r = registration_submit(registration=make_registration(), actor=org["sales"])
    client.force_login(org["sales"])  # the owner sees the registration but cannot decide
    response = client.post(reverse("registrations:decide", args=[r.pk]), {"decision": "approve"})
    assert response.status_code == 403
    assert "您无权审批该环节" in _page(response)


# --- 404 ------------------------------------------------------------------------------------


def test_404_names_the_record_and_links_back_to_its_list(client, org, parent_project):
    client.force_login(org["implementer"])  # not on the team: the project is not there for him
    response = client.get(reverse("projects:detail", args=[parent_project.pk]))
    assert response.status_code == 404
    body = _page(response)
    assert "没有找到该项目" in body and _in_layout(body)
    assert f'href="{reverse("projects:mine")}"' in body and "返回我的项目" in body
    assert f'href="{reverse("home")}"' in body and "返回工作台" in body
    assert parent_project.name not in body


def test_404_from_get_object_or_404_names_the_model_in_chinese(client, org):
    client.force_login(org["sales"])
    response = client.get("/test-errors/missing-project/")
    assert response.status_code == 404
    assert "没有找到该项目" in _page(response)


def test_404_of_a_ticket_links_back_to_the_ticket_list(client, org):
    client.force_login(org["aftersales"])
    response = client.get(reverse("aftersales:ticket", args=[999999]))
    assert response.status_code == 404
    body = _page(response)
    assert "没有找到该售后问题" in body and f'href="{reverse("aftersales:tickets")}"' in body


def test_404_of_an_unknown_address_for_an_anonymous_visitor(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = _page(response)
    assert "没有找到该页面" in body and "/no-such-page/" in body and "登录" in body


# --- 405 ------------------------------------------------------------------------------------


def test_a_get_on_a_decision_url_opens_the_registration(client, org, make_registration):
    r = registration_submit(registration=make_registration(), actor=org["sales"])
    client.force_login(org["business_approver"])
    response = client.get(reverse("registrations:decide", args=[r.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("registrations:detail", args=[r.pk])
    page = client.get(response["Location"]).content.decode()
    assert "该操作需在页面上提交，已为您打开对应的记录" in page


def test_a_get_on_a_nested_action_skips_other_actions_and_opens_the_project(client, org, parent_project):
    client.force_login(org["regional_pm"])
    # /projects/<pk>/requirements/ is itself an action (add a requirement): the record is the project
    response = client.get(reverse("projects:requirements_confirm", args=[parent_project.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("projects:detail", args=[parent_project.pk])


def test_a_get_on_an_action_without_a_record_page_explains(client, org):
    task = task_open(
        subject=org["sales"].department, step="s", step_label="审批", title="某事", link="/", group="sales"
    )
    client.force_login(org["sales"])
    response = client.get(reverse("approvals:claim", args=[task.pk]))
    assert response.status_code == 405 and "POST" in response["Allow"]
    body = _page(response)
    assert "此地址不能直接打开" in body and "只能通过页面上的按钮或表单提交" in body and _in_layout(body)
    assert "返回我的待办" in body


def test_a_get_on_sign_out_explains_to_an_anonymous_visitor(client):
    response = client.get(reverse("logout"))
    assert response.status_code == 405
    assert "此地址不能直接打开" in _page(response)


# --- CSRF -----------------------------------------------------------------------------------


def test_an_expired_login_form_says_reload(demo_password, org):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "sales", "password": demo_password})
    assert response.status_code == 403
    body = _page(response)
    assert "页面已过期，请刷新后重试" in body and f'href="{reverse("login")}"' in body
    assert "Referer" not in body and "token" not in body.lower()


def test_an_expired_form_of_a_signed_in_user_keeps_the_layout_and_reloads_the_page_it_came_from(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org["sales"])
    response = client.post(reverse("notify:read_all"), HTTP_REFERER="http://testserver/notifications/")
    assert response.status_code == 403
    body = _page(response)
    assert "页面已过期，请刷新后重试" in body and _in_layout(body)
    assert 'href="http://testserver/notifications/"' in body


def test_an_expired_form_never_reloads_another_site(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org["sales"])
    response = client.post(reverse("notify:read_all"), HTTP_REFERER="https://evil.example/x")
    assert "evil.example" not in response.content.decode()


# --- 500 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("signed_in", [True, False])
def test_500_is_chinese_and_shows_nothing_of_the_failure(client, org, signed_in):
    if signed_in:
        client.force_login(org["sales"])
    client.raise_request_exception = False
    response = client.get("/test-errors/crash/")
    assert response.status_code == 500
    body = _page(response)
    assert "系统出错了" in body and "返回工作台" in body
    assert "hunter2" not in body and "RuntimeError" not in body


def test_500_renders_while_the_database_is_down(client, org):
    client.force_login(org["sales"])
    client.raise_request_exception = False
    down = OperationalError("could not connect to server")
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=down):
        response = client.get("/test-errors/crash-db/")
    assert response.status_code == 500
    assert "系统出错了" in _page(response)


def test_500_page_makes_no_query(rf, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = server_error(rf.get("/"))
    assert response.status_code == 500 and "系统出错了" in response.content.decode()


# --- the admin ------------------------------------------------------------------------------


def test_admin_404_and_403_are_chinese(client, org):
    client.force_login(org["admin"])
    response = client.get("/admin/no-such-app/")
    assert response.status_code == 404
    body = _page(response)
    assert "没有找到该管理页面" in body and "返回系统管理" in body

    staff = org["implementer"]
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client.force_login(staff)
    response = client.get(reverse("admin:audit_auditentry_changelist"))
    assert response.status_code == 403
    assert "您没有权限访问此页面或执行此操作" in _page(response)


def test_404_of_an_unknown_chinese_address_shows_no_url_patterns(client, org):
    client.force_login(org["sales"])
    response = client.get("/项目/不存在/")
    assert response.status_code == 404
    body = _page(response)
    assert "没有找到该页面" in body and "URLPattern" not in body and "tried" not in body
