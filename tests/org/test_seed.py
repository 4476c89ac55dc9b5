from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from guardian.models import UserObjectPermission

from pmis.catalog.models import DocumentType, Product
from pmis.org.models import Department, Province, Region, User
from pmis.org.roles import ROLES
from pmis.org.selectors import user_regions, users_in_role

pytestmark = pytest.mark.django_db

DESIGN_ROLE_CODES = {
    "sales", "presales", "sales_manager", "special_approver", "business_approver", "project_director",
    "regional_pm", "implementer", "product_dept", "rd_expert", "cs_manager", "cs_head", "cs_staff",
    "aftersales", "aftersales_manager", "platform_ops",
    # 000 §3.6.1–3.6.2: the two groups of 客户成功部; 000 §3.8: the 平台运维部 manager approves cloud deployments
    "cs_ops", "cs_support", "platform_manager",
    "emergency_team",  # 应急小组 (004 §8.1.3)
    "requirement_lead", "quality", "releaser",  # 需求组长, 质量人员, 版本发布人员 (004 §8.2.1)
    # 002 产品实施过程: the CM engineer approves acceptance reports, the executives decide after a rejected trial run
    "cm_engineer", "executive",
    "marketing",  # 002 产品实施过程: 市场部 runs the customer-satisfaction survey
}  # fmt: skip


def _snapshot():
    return {
        "groups": sorted(Group.objects.values_list("name", flat=True)),
        "group_perms": sorted(Group.permissions.through.objects.values_list("group__name", "permission__codename")),
        "regions": Region.objects.count(),
        "provinces": Province.objects.count(),
        "departments": Department.objects.count(),
        "users": sorted(User.objects.values_list("username", "password")),
        "object_perms": UserObjectPermission.objects.count(),
        "products": Product.objects.count(),
        "document_types": DocumentType.objects.count(),
    }


def _run(command):
    out = StringIO()
    call_command(command, stdout=out)
    return out.getvalue()


def test_seed_roles_twice_changes_nothing():
    first = _run("seed_roles")
    assert "已同步" in first
    before = _snapshot()
    second = _run("seed_roles")
    assert "无变化" in second
    assert _snapshot() == before


def test_seed_roles_restores_a_permission_removed_by_hand():
    _run("seed_roles")
    group = Group.objects.get(name="product_dept")
    group.permissions.remove(Permission.objects.get(codename="change_product"))
    assert "已同步" in _run("seed_roles")
    assert group.permissions.filter(codename="change_product").exists()


def test_seed_demo_twice_changes_nothing():
    _run("seed_demo")
    before = _snapshot()
    _run("seed_demo")
    assert _snapshot() == before
    assert before["users"]  # and it did create users


def test_seed_demo_prints_every_account():
    out = _run("seed_demo")
    for username in ("admin", "sales", "sales2", "special_approver_south", "platform_ops"):
        assert username in out
    assert "密码" in out


def test_role_groups_are_those_of_the_design():
    _run("seed_roles")
    assert set(Group.objects.values_list("name", flat=True)) == DESIGN_ROLE_CODES
    assert {r.code for r in ROLES if r.region_scoped} == {"special_approver", "regional_pm"}
    assert all(r.label for r in ROLES)


def test_every_role_can_read_the_catalogue_and_only_product_dept_maintains_it(demo):
    for user in demo.values():
        assert user.has_perm("catalog.view_product"), user.username
    maintainers = {u.username for u in demo.values() if u.has_perm("catalog.change_product")}
    assert maintainers == {"product_dept", "admin"}


def test_region_scope_is_an_object_permission_on_the_region(demo):
    north, south = Region.objects.get(code="north"), Region.objects.get(code="south")
    assert list(user_regions(demo["special_approver"])) == [north]
    assert list(user_regions(demo["special_approver_south"])) == [south]
    assert list(user_regions(demo["regional_pm_south"])) == [south]
    assert list(user_regions(demo["sales"])) == []
    assert not demo["special_approver"].has_perm("org.act_in_region", south)
    assert demo["special_approver"].has_perm("org.act_in_region", north)
    assert list(users_in_role("special_approver", region=south)) == [demo["special_approver_south"]]
    assert list(users_in_role("regional_pm", region=north)) == [demo["regional_pm"]]


def test_demo_has_two_sales_teams_each_with_its_manager(demo):
    assert demo["sales"].department != demo["sales2"].department
    assert demo["sales_manager"].department == demo["sales"].department
    assert demo["sales_manager2"].department == demo["sales2"].department


def test_catalogue_comes_from_the_process_documents(demo):
    names = set(Product.objects.values_list("name", flat=True))
    assert {"悦文云文档", "合同平台", "电子印章认证", "智慧印章", "签章中间件", "云签章", "云合同"} <= names
    assert set(Product.objects.filter(kind="service").values_list("name", flat=True)) == {
        "时间戳",
        "实名认证",
        "意愿认证",
    }
    doc_names = set(DocumentType.objects.values_list("name", flat=True))
    acceptance_seven = {
        "产品领取单", "客户服务单", "用户验收报告", "项目实施方案",
        "新增需求清单", "项目问题处理汇总表", "实施基本信息登记表",
    }  # fmt: skip
    assert acceptance_seven <= doc_names
    assert {"项目试运行确认单", "售后服务承诺卡", "问题申报单", "项目周报", "需求确认单"} <= doc_names


def test_regions_carry_provinces_and_an_svn_template(roles):
    north = Region.objects.get(code="north")
    assert north.name == "北方"
    assert north.provinces.filter(name="北京").exists()
    assert Region.objects.get(code="south").provinces.filter(name="广东").exists()
    assert north.svn_path(project_name="某银行电子签章项目", year=2026).endswith("北方/2026/某银行电子签章项目")
