"""Demo organisation: one user per role, plus a second sales team and a south-region leader and
PM so that team and region scoping can be seen."""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from .models import Department, Region, User
from .services import region_scope_grant

DEMO_PASSWORD = "pmis-demo-2026"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    department: str
    region: str | None = None
    is_staff: bool = False


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("sales", "王晓明", "sales", "sales-1", "north"),
    DemoUser("sales2", "刘思雨", "sales", "sales-2", "south"),
    DemoUser("presales", "陈立", "presales", "presales", "north"),
    DemoUser("sales_manager", "赵建国", "sales_manager", "sales-1", "north"),
    DemoUser("sales_manager2", "孙丽华", "sales_manager", "sales-2", "south"),
    DemoUser("special_approver", "杨总", "special_approver", "sales", "north"),
    DemoUser("special_approver_south", "戴总", "special_approver", "sales", "south"),
    DemoUser("business_approver", "周敏", "business_approver", "business"),
    DemoUser("project_director", "吴海涛", "project_director", "project"),
    DemoUser("regional_pm", "郑北辰", "regional_pm", "project", "north"),
    DemoUser("regional_pm_south", "冯南星", "regional_pm", "project", "south"),
    DemoUser("implementer", "钱实", "implementer", "project", "north"),
    DemoUser("product_dept", "许产品", "product_dept", "product", is_staff=True),
    DemoUser("rd_expert", "何研发", "rd_expert", "rd"),
    DemoUser("cs_manager", "林成功", "cs_manager", "customer-success"),
    DemoUser("cs_head", "高负责", "cs_head", "customer-success"),
    DemoUser("cs_staff", "罗客服", "cs_staff", "cs-support"),
    DemoUser("aftersales", "梁售后", "aftersales", "system-service"),
    DemoUser("aftersales_manager", "宋经理", "aftersales_manager", "aftersales-ops"),
    DemoUser("platform_ops", "唐运维", "platform_ops", "platform-ops"),
    DemoUser("cs_ops", "韩运营", "cs_ops", "cs-operations"),
    DemoUser("cs_support", "蒋支持", "cs_support", "cs-support"),
    DemoUser("platform_manager", "曹经理", "platform_manager", "platform-ops"),
    DemoUser("emergency", "应急组长", "emergency_team", "aftersales-ops"),
    DemoUser("requirement_lead", "韩需求", "requirement_lead", "system-service"),
    DemoUser("quality", "秦质量", "quality", "system-service"),
    DemoUser("releaser", "魏发布", "releaser", "system-service"),
    DemoUser("cm_engineer", "韩配置", "cm_engineer", "product"),
    DemoUser("marketing", "方市场", "marketing", "marketing"),
    DemoUser("executive", "黄总", "executive", "management"),
)


@transaction.atomic
def demo_users_seed(*, password: str = DEMO_PASSWORD) -> list[User]:
    """Create the demo users (idempotent: an existing user keeps its password and edits). The shared
    demo password is hashed once for all of them: hashing it per account took most of seed_demo."""
    hashed = None
    regions = {r.code: r for r in Region.objects.all()}
    departments = {d.code: d for d in Department.objects.all()}
    groups = {g.name: g for g in Group.objects.all()}
    users = []
    for spec in DEMO_USERS:
        region = regions.get(spec.region) if spec.region else None
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "display_name": spec.display_name,
                "department": departments[spec.department],
                "region": region,
                "email": f"{spec.username}@pmis.local",
                "is_staff": spec.is_staff,
            },
        )
        if created:
            hashed = hashed or make_password(password)
            user.password = hashed
            user.save(update_fields=["password"])
        user.groups.add(groups[spec.role])
        if region is not None and spec.role in {"special_approver", "regional_pm"}:
            region_scope_grant(user=user, region=region)
        users.append(user)
    admin, created = User.objects.get_or_create(
        username="admin",
        defaults={"display_name": "系统管理员", "email": "admin@pmis.local", "is_staff": True, "is_superuser": True},
    )
    if created:
        admin.password = hashed or make_password(password)
        admin.save(update_fields=["password"])
    users.append(admin)
    return users
