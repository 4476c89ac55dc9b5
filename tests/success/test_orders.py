"""云产品下单申请 (000 §3.2): filed → 商务 checks licence and payment → assigned group opens it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from approvals.errors import AlreadyDecided, DomainError
from approvals.selectors import inbox_for, open_tasks_for
from pmis.audit.models import AuditEntry
from success import services
from success.models import CloudOrder, Licence, Team

from .conftest import items

pytestmark = pytest.mark.django_db


def _audits(order, action):
    return AuditEntry.objects.filter(object_id=order.pk, action=action, content_type__model="cloudorder").count()


def test_an_order_goes_from_filing_through_business_to_the_service_opened(org, file_order):
    order = file_order()
    assert order.state == CloudOrder.State.PENDING_BUSINESS and order.number.startswith("YD")
    task = open_tasks_for(order).get()
    assert task.step == "cloud_order.business" and task.due_at is not None
    assert task in inbox_for(org["business_approver"])

    order = services.cloud_order_review(
        order=order, actor=org["business_approver"], approve=True, team=Team.OPS, licence_ok=True, payment_ok=True
    )
    assert order.state == CloudOrder.State.PENDING_OPENING and order.team == Team.OPS
    assert _audits(order, "cloud_order.review") == 1
    opening = open_tasks_for(order).get()
    assert opening in inbox_for(org["cs_ops"]) and opening not in inbox_for(org["cs_support"])

    order = services.cloud_order_open(order=order, actor=org["cs_ops"], opened_note="开通云签章账号 2 个、时间戳 1 个")
    assert order.state == CloudOrder.State.OPENED and order.opened_at is not None
    assert not open_tasks_for(order).exists()
    licences = Licence.objects.filter(cloud_order=order).order_by("product__name")
    assert [(lic.product.name, lic.quantity, lic.expires_on) for lic in licences] == sorted(
        [("云签章", 2, order.licence_ends_on), ("时间戳", 1, order.licence_ends_on)]
    )
    assert org["sales"].notifications.filter(kind="cloud_order_opened").count() == 1


def test_business_must_have_checked_licence_and_payment_and_name_a_group(org, file_order):
    order = file_order()
    with pytest.raises(DomainError, match="授权与收款"):
        services.cloud_order_review(order=order, actor=org["business_approver"], approve=True, team=Team.OPS)
    with pytest.raises(DomainError, match="指派开通部门"):
        services.cloud_order_review(
            order=order, actor=org["business_approver"], approve=True, licence_ok=True, payment_ok=True
        )
    order.refresh_from_db()
    assert order.state == CloudOrder.State.PENDING_BUSINESS


def test_only_business_reviews_and_only_the_assigned_group_opens(org, file_order):
    order = file_order()
    with pytest.raises(PermissionDenied):
        services.cloud_order_review(
            order=order, actor=org["cs_ops"], approve=True, team=Team.OPS, licence_ok=True, payment_ok=True
        )
    with pytest.raises(DomainError, match="商务审核通过并指派后"):
        services.cloud_order_open(order=order, actor=org["cs_ops"], opened_note="x")
    order = services.cloud_order_review(
        order=order, actor=org["business_approver"], approve=True, team=Team.SUPPORT, licence_ok=True, payment_ok=True
    )
    with pytest.raises(PermissionDenied):
        services.cloud_order_open(order=order, actor=org["cs_ops"], opened_note="x")
    with pytest.raises(DomainError, match="开通内容"):
        services.cloud_order_open(order=order, actor=org["cs_support"], opened_note=" ")
    services.cloud_order_open(order=order, actor=org["cs_support"], opened_note="已开通")
    with pytest.raises(AlreadyDecided):
        services.cloud_order_open(order=order, actor=org["cs_support"], opened_note="再次开通")


def test_a_returned_order_needs_a_reason_and_comes_back_to_the_filer(org, file_order):
    order = file_order()
    with pytest.raises(DomainError, match="原因"):
        services.cloud_order_review(order=order, actor=org["business_approver"], approve=False)
    order = services.cloud_order_review(order=order, actor=org["business_approver"], approve=False, comment="未回款")
    assert order.state == CloudOrder.State.RETURNED
    resubmit = open_tasks_for(order).get()
    assert resubmit.assignee == org["sales"] and resubmit in inbox_for(org["sales"])
    assert org["sales"].notifications.filter(kind="cloud_order_returned", read_at__isnull=True).count() == 1
    order = services.cloud_order_revise(order=order, actor=org["sales"], resubmit=True, note="已回款")
    assert not org["sales"].notifications.filter(kind="cloud_order_returned", read_at__isnull=True).exists()
    assert order.state == CloudOrder.State.PENDING_BUSINESS and order.note == "已回款"
    assert open_tasks_for(order).get().step == "cloud_order.business"


def test_the_filer_may_withdraw_a_returned_order(org, file_order):
    order = file_order()
    services.cloud_order_review(order=order, actor=org["business_approver"], approve=False, comment="重复")
    order = services.cloud_order_revise(order=order, actor=org["sales"], resubmit=False)
    assert order.state == CloudOrder.State.WITHDRAWN and not open_tasks_for(order).exists()


def test_filing_is_refused_for_other_roles_and_bad_orders(org, file_order):
    with pytest.raises(PermissionDenied):
        file_order(actor=org["implementer"])
    today = timezone.localdate()
    with pytest.raises(DomainError, match="截止日须晚于"):
        file_order(licence_starts_on=today, licence_ends_on=today)
    with pytest.raises(DomainError, match="至少选择一个产品"):
        file_order(items=[])
    with pytest.raises(DomainError, match="同一产品"):
        file_order(items=items(("云签章", 1), ("云签章", 2)))
    assert not CloudOrder.objects.exists()
