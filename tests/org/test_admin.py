"""The admin in Chinese for the staff who maintain the system."""

import json
import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from pmis.org.roles import ROLES
from registrations.services import registration_submit

pytestmark = pytest.mark.django_db

# English the admin showed before: app and model names, widget help, default permissions,
# untranslated columns, filters and fieldsets of the libraries.
ENGLISH = (
    "Axes",
    "Access attempt",
    "Access failure",
    "Access log",
    "access attempt",
    "Guardian",
    "object permission",
    "Choose",
    "Can add",
    "Can change",
    "Can delete",
    "Can view",
    "log entry",
    "Model name",
    "Add link",
    "Change or view",
    "After you",
    "Task Name",
    "Arguments",
    "Execution Options",
    "Crontab translation",
    "Human readable",
    "Scheduler",
    "Periodic Tasks Using",
    "Attempt Time",
    "User Agent",
    "IP Address",
    "Locked Out",
    "Meta Data",
    "Status",
    "Expiration",
    "only on",
)


def _visible(html: str) -> str:
    html = re.sub(r"(?s)<script.*?</script>|<style.*?</style>", " ", html)
    return re.sub(r"(?s)<[^>]+>", " ", html)


def _admin_urls(user) -> list[str]:
    class Request:
        pass

    request = Request()
    request.user = user
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(request):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    return urls


@pytest.fixture
def busy_admin(org, make_registration, demo_password):
    """A superuser, and something in every table the admin lists."""
    call_command("setup_schedules")
    Client().post(reverse("login"), {"username": "sales", "password": "wrong-password"})  # a lock-out row
    registration_submit(registration=make_registration(), actor=org["sales"])  # audit rows
    return org["admin"]


def test_every_admin_page_is_chinese(client, busy_admin):
    client.force_login(busy_admin)
    found = {}
    for url in _admin_urls(busy_admin):
        response = client.get(url)
        assert response.status_code == 200, url
        text = _visible(response.content.decode())
        hits = [phrase for phrase in ENGLISH if phrase in text]
        if hits:
            found[url] = hits
    assert not found


def test_app_names_are_chinese_on_the_index(client, busy_admin):
    client.force_login(busy_admin)
    text = _visible(client.get(reverse("admin:index")).content.decode())
    assert "登录锁定" in text and "登录失败记录" in text and "登录日志" in text
    assert "周期任务" in text and "操作记录" in text and "认证和授权" in text


def test_the_filter_widget_speaks_chinese(client, busy_admin):
    client.force_login(busy_admin)
    response = client.get(reverse("admin:jsi18n"))
    assert response.status_code == 200
    catalog = response.content.decode()
    for text in ("点击“选择”箭头按钮", "选择全部%s", "删除全部%s"):
        assert json.dumps(text)[1:-1] in catalog  # the catalogue is JSON with \\u escapes


def test_role_groups_show_their_chinese_label_with_the_code_as_help(client, busy_admin):
    client.force_login(busy_admin)
    body = client.get(reverse("admin:auth_group_changelist")).content.decode()
    for role in ROLES:
        assert role.label in body
    sales = Group.objects.get(name="sales")
    body = client.get(reverse("admin:auth_group_change", args=[sales.pk])).content.decode()
    assert "销售 / 责任销售" in body and "角色代码" in body and "系统据此识别角色" in body

    body = client.get(reverse("admin:org_user_change", args=[busy_admin.pk])).content.decode()
    groups = re.search(r'(?s)<select[^>]*name="groups".*?</select>', body).group(0)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", groups)
    assert "销售 / 责任销售" in options and "区域项目经理" in options
    assert not [o for o in options if re.search(r"[a-z_]{3,}", o)]


def test_every_permission_in_the_user_form_is_named_in_chinese(client, busy_admin):
    client.force_login(busy_admin)
    body = client.get(reverse("admin:org_user_change", args=[busy_admin.pk])).content.decode()
    picker = re.search(r'(?s)<select[^>]*name="user_permissions".*?</select>', body).group(0)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", picker)
    assert len(options) > 100
    english = [o for o in options if re.search(r"[A-Za-z]{3,}", o.replace("Crontab", "").replace("SLA", ""))]
    assert not english, english[:10]
    assert "对象权限｜用户对象权限｜可添加用户对象权限" in options
    assert "管理｜日志记录｜可查看日志记录" in options
    assert "项目｜项目｜项目管理员" in options


def test_the_audit_log_shows_states_actions_and_records_in_chinese(client, busy_admin):
    client.force_login(busy_admin)
    text = _visible(client.get(reverse("admin:audit_auditentry_changelist")).content.decode())
    assert "提交登记" in text and "草稿" in text and "待商务审批" in text and "实施登记｜实施登记" in text
    assert "pending_business" not in text and "registration.submit" not in text
