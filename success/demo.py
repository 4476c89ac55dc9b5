"""Demo work of customer success: a cloud order waiting on 商务, one waiting to be opened by
运营客服组, a SaaS order waiting on 售后支持组 to confirm its need, service requests of both groups,
and licences about to expire (the reminder job opens their renewal)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from pmis.catalog.models import Product
from pmis.org.models import User
from projects.models import Project

from . import services
from .models import CloudOrder, Licence, Team

MARK = "演示"


@transaction.atomic
def demo_success_seed() -> int:
    if CloudOrder.objects.filter(customer_name__startswith=MARK).exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["sales", "cs_staff", "business_approver"])}
    if len(users) < 3:
        return 0
    today = timezone.localdate()
    product = {p.name: p for p in Product.objects.filter(name__in=["云签章", "时间戳", "电子印章认证"])}
    term = {"licence_starts_on": today, "licence_ends_on": today + timedelta(days=365), "payment": "paid"}

    def order(customer, items, **extra):
        return services.cloud_order_file(
            actor=users["sales"], customer_name=f"{MARK}{customer}",
            items=[{"product": product[n], "quantity": q} for n, q in items], **{**term, **extra},
        )  # fmt: skip

    checked = {"licence_ok": True, "payment_ok": True}
    order("某某市人民医院", [("云签章", 5), ("时间戳", 1)], amount=36000, note="首年服务")
    opening = order("某某区政务服务中心", [("云签章", 20)], payment="instalment")
    services.cloud_order_review(
        order=opening,
        actor=users["business_approver"],
        approve=True,
        team=Team.OPS,
        comment="授权与收款已核",
        **checked,
    )
    saas = Project.objects.filter(kind=Project.Kind.SAAS).order_by("pk").first()
    confirm = order("某物流公司（SaaS）", [("云签章", 10)], project=saas, saas=True)
    services.cloud_order_review(order=confirm, actor=users["business_approver"], approve=True, **checked)

    staff = users["cs_staff"]
    services.service_request_file(
        actor=staff, type="seal", customer_name=f"{MARK}某某市人民医院",
        data={"action": "new", "seal_name": "合同专用章", "seal_kind": "unit", "quantity": 1},
    )  # fmt: skip
    services.service_request_file(
        actor=staff, type="api_channel", customer_name=f"{MARK}某某区政务服务中心",
        data={"system": "政务 OA", "environment": "production", "ip_whitelist": "10.20.0.8"},
    )  # fmt: skip
    services.service_request_file(
        actor=staff, type="usage_guidance", customer_name=f"{MARK}某物流公司（SaaS）", project=saas,
        data={"topic": "批量签署与模板配置", "mode": "remote", "contact": "李经理"},
    )  # fmt: skip
    for days, name in ((20, "电子印章认证"), (75, "时间戳")):
        Licence.objects.create(
            customer_name=f"{MARK}某某大学", product=product[name], quantity=2,
            starts_on=today - timedelta(days=365 - days), expires_on=today + timedelta(days=days),
            source=Licence.Source.CLOUD_ORDER,
        )  # fmt: skip
    services.licence_reminders(today=today)
    return 3
