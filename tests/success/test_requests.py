"""客户服务申请 (000 §3.6.1–3.6.2): each type with its own fields and deadline, worked by its group."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from approvals.errors import AlreadyDecided, DomainError
from approvals.selectors import inbox_for, open_tasks_for
from pmis.catalog.models import Product
from pmis.worktime.models import SlaPolicy
from success import services
from success.models import Licence, ServiceRequest, Team
from success.service_types import SERVICE_TYPES

pytestmark = pytest.mark.django_db

SEAL = {"action": "new", "seal_name": "某某医院合同专用章", "seal_kind": "unit", "quantity": "1"}


def test_each_type_has_its_own_deadline_policy_and_group(org):
    policies = set(SlaPolicy.objects.values_list("code", flat=True))
    assert {spec.policy for spec in SERVICE_TYPES.values()} <= policies
    assert SERVICE_TYPES["usage_guidance"].team == Team.SUPPORT and SERVICE_TYPES["seal"].team == Team.OPS
    assert len({spec.policy for spec in SERVICE_TYPES.values()}) == len(ServiceRequest.Type.values)


def test_a_seal_request_is_filed_worked_and_finished_with_its_result(org):
    request = services.service_request_file(actor=org["cs_staff"], type="seal", customer_name="某某医院", data=SEAL)
    assert request.team == Team.OPS and request.details["seal_name"] == "某某医院合同专用章"
    task = open_tasks_for(request).get()
    assert task.policy.code == "service-seal" and request.due_at == task.due_at
    assert task in inbox_for(org["cs_ops"]) and task not in inbox_for(org["cs_support"])

    request = services.service_request_start(request=request, actor=org["cs_ops"])
    assert request.state == ServiceRequest.State.IN_PROGRESS and request.handler == org["cs_ops"]
    with pytest.raises(DomainError, match="办理结果"):
        services.service_request_finish(request=request, actor=org["cs_ops"], result="")
    request = services.service_request_finish(request=request, actor=org["cs_ops"], result="已制章并交付")
    assert request.state == ServiceRequest.State.DONE and request.result == "已制章并交付"
    assert not open_tasks_for(request).exists()
    with pytest.raises(AlreadyDecided):
        services.service_request_finish(request=request, actor=org["cs_ops"], result="again")


def test_the_fields_of_a_type_are_checked_by_its_form(org):
    with pytest.raises(DomainError, match="印章名称"):
        services.service_request_file(
            actor=org["cs_staff"], type="seal", customer_name="某某医院", data={**SEAL, "seal_name": ""}
        )
    with pytest.raises(DomainError, match="回调地址"):
        services.service_request_file(
            actor=org["cs_staff"],
            type="api_channel",
            customer_name="某某医院",
            data={"system": "HIS", "environment": "production", "ip_whitelist": "10.0.0.1", "callback_url": "不是网址"},
        )
    assert not ServiceRequest.objects.exists()


def test_usage_guidance_waits_on_the_support_group_and_other_groups_cannot_work_it(org):
    data = {"topic": "批量签署", "mode": "remote", "contact": "李老师"}
    request = services.service_request_file(
        actor=org["cs_ops"], type="usage_guidance", customer_name="某大学", data=data
    )
    assert request.team == Team.SUPPORT
    with pytest.raises(PermissionDenied):
        services.service_request_finish(request=request, actor=org["cs_ops"], result="x")
    with pytest.raises(DomainError, match="售后支持组办理"):
        services.service_request_file(
            actor=org["cs_ops"], type="usage_guidance", customer_name="某大学", data=data, team=Team.OPS
        )


def test_only_customer_success_files_requests(org):
    with pytest.raises(PermissionDenied):
        services.service_request_file(actor=org["sales"], type="seal", customer_name="某某医院", data=SEAL)


def test_a_renewal_records_the_new_expiry_on_its_licence(org):
    today = timezone.localdate()
    licence = Licence.objects.create(
        customer_name="某某医院",
        product=Product.objects.get(name="云签章"),
        starts_on=today - timedelta(days=300),
        expires_on=today + timedelta(days=65),
        source=Licence.Source.CLOUD_ORDER,
    )
    data = {"product": "云签章", "new_expires_on": (today + timedelta(days=430)).isoformat()}
    request = services.service_request_file(
        actor=org["cs_staff"], type="licence_renewal", customer_name="某某医院", data=data, licence=licence
    )
    with pytest.raises(DomainError, match="续期后到期日"):
        services.service_request_finish(request=request, actor=org["cs_ops"], result="已续期")
    services.service_request_finish(
        request=request, actor=org["cs_ops"], result="已续期", new_expires_on=today + timedelta(days=430)
    )
    licence.refresh_from_db()
    assert licence.expires_on == today + timedelta(days=430)


def test_cancelling_needs_a_reason_and_closes_the_step(org):
    request = services.service_request_file(actor=org["cs_staff"], type="seal", customer_name="某某医院", data=SEAL)
    with pytest.raises(DomainError, match="原因"):
        services.service_request_cancel(request=request, actor=org["cs_staff"], reason="")
    with pytest.raises(PermissionDenied):
        services.service_request_cancel(request=request, actor=org["cs_support"], reason="客户撤销")
    request = services.service_request_cancel(request=request, actor=org["cs_staff"], reason="客户撤销")
    assert request.state == ServiceRequest.State.CANCELLED and not open_tasks_for(request).exists()
