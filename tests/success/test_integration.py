"""SaaS 实施集成申请 (000 §3.6.2): 售后支持组 confirms the need of an order approved by 商务 and
decides on integration → 项目实施部 opens a 系统集成 task on the project → done → handed back."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from aftersales.models import Handover
from aftersales.services.handover import handover_submit
from approvals.errors import DomainError
from approvals.models import Task
from approvals.selectors import inbox_for, open_tasks_for
from pmis.audit.models import AuditEntry
from projects import services as project_services
from projects.models import DeliveryTask
from registrations.models import Kind
from success import services
from success.models import CloudOrder, IntegrationRequest
from tests import walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def saas_project(org, dispatched, upload):
    project = project_services.project_initiate(
        registration=dispatched(kind=Kind.SAAS), actor=org["cs_manager"], name="", overview="", svn_path="",
        feasibility="可行", risk="可控", pm=org["regional_pm"], implementers=[org["implementer"]],
    )  # fmt: skip
    upload(project, "requirement-confirmation")
    return project_services.requirements_confirm(project=project, actor=org["regional_pm"])


@pytest.fixture
def approved(org, file_order, saas_project):
    order = file_order(project=saas_project)
    assert order.saas  # a SaaS project's order is a SaaS customer's
    return services.cloud_order_review(
        order=order, actor=org["business_approver"], approve=True, licence_ok=True, payment_ok=True
    )


def test_a_saas_order_approved_by_business_waits_on_the_support_group_to_confirm(org, approved):
    assert approved.state == CloudOrder.State.PENDING_CONFIRM
    task = open_tasks_for(approved).get()
    assert task.step == "cloud_order.confirm" and task in inbox_for(org["cs_support"])
    with pytest.raises(PermissionDenied):
        services.cloud_order_confirm(order=approved, actor=org["cs_ops"], integration_needed=False)


def test_without_integration_the_order_goes_straight_to_opening(org, approved):
    order = services.cloud_order_confirm(order=approved, actor=org["cs_support"], integration_needed=False)
    assert order.state == CloudOrder.State.PENDING_OPENING and not IntegrationRequest.objects.exists()
    assert open_tasks_for(order).get().step == "cloud_order.open"


def test_integration_runs_as_a_delivery_task_and_completes_when_it_is_done(org, approved, saas_project, upload):
    with pytest.raises(DomainError, match="集成需求"):
        services.cloud_order_confirm(order=approved, actor=org["cs_support"], integration_needed=True)
    services.cloud_order_confirm(
        order=approved, actor=org["cs_support"], integration_needed=True, need="与医院 HIS 对接电子签名"
    )
    request = IntegrationRequest.objects.get(order=approved)
    pmo = open_tasks_for(request).get()
    assert pmo.step == "integration.pmo" and pmo in inbox_for(org["project_director"])

    with pytest.raises(PermissionDenied):
        services.integration_accept(request=request, actor=org["cs_support"], assignee=org["implementer"])
    request = services.integration_accept(request=request, actor=org["project_director"], assignee=org["implementer"])
    assert request.state == IntegrationRequest.State.INTEGRATING
    task = request.delivery_task
    assert (task.project, task.type, task.assignee) == (saas_project, DeliveryTask.Type.INTEGRATION, org["implementer"])
    assert task.description == "与医院 HIS 对接电子签名"

    with pytest.raises(DomainError, match="尚未完成"):
        services.integration_complete(request=request, actor=org["regional_pm"])
    project_services.delivery_task_act(task=task, actor=org["implementer"], action="start")
    upload(task, "install-debug-report", actor=org["implementer"])
    project_services.delivery_task_act(task=task, actor=org["implementer"], action="finish", result="已对接")
    request = services.integration_complete(request=request, actor=org["regional_pm"])
    assert request.state == IntegrationRequest.State.INTEGRATED and request.integrated_at is not None
    assert org["cs_support"].notifications.filter(kind="integration_done").count() == 1
    assert services.integration_handover_state(request) == "尚未提交移交"
    # the PM now has to hand the project back to 售后支持组: a step in the inbox, not a notice
    handback = open_tasks_for(request).get()
    assert handback.step_label == "交回售后支持组" and handback in inbox_for(org["regional_pm"])
    assert handback.link == reverse("aftersales:handover_new", args=[saas_project.pk])


def _integrated(org, approved, upload):
    services.cloud_order_confirm(order=approved, actor=org["cs_support"], integration_needed=True, need="对接 HIS")
    request = IntegrationRequest.objects.get(order=approved)
    request = services.integration_accept(request=request, actor=org["project_director"], assignee=org["implementer"])
    task = request.delivery_task
    project_services.delivery_task_act(task=task, actor=org["implementer"], action="start")
    upload(task, "install-debug-report", actor=org["implementer"])
    project_services.delivery_task_act(task=task, actor=org["implementer"], action="finish", result="已对接")
    return request


def test_the_hand_back_step_closes_when_the_pm_submits_the_handover(org, approved, saas_project, upload):
    request = _integrated(org, approved, upload)
    project = walk.ready_for_handover(org, saas_project, upload)
    request = services.integration_complete(request=request, actor=org["project_director"])
    handback = open_tasks_for(request).get()
    assert handback.assignee == org["regional_pm"]
    handover = handover_submit(project=project, actor=org["regional_pm"])
    handback.refresh_from_db()
    assert handback.state == Task.State.DONE and handback.closed_by == org["regional_pm"]
    assert handback not in inbox_for(org["regional_pm"])
    assert handover.route == Handover.Route.CUSTOMER_SUCCESS
    assert AuditEntry.objects.filter(object_id=request.pk, action="integration.hand_back").count() == 1
    assert services.integration_handover_state(request) == handover.get_state_display()


def test_a_project_already_in_handover_is_not_handed_back_twice(org, approved, saas_project, upload):
    request = _integrated(org, approved, upload)
    project = walk.ready_for_handover(org, saas_project, upload)
    handover_submit(project=project, actor=org["regional_pm"])
    request = services.integration_complete(request=request, actor=org["project_director"])
    assert not open_tasks_for(request).exists()
    assert org["cs_support"].notifications.filter(kind="integration_done", body__contains="移交").count() == 1


def test_integration_needs_a_project_on_the_order(org, file_order):
    order = file_order(saas=True)
    order = services.cloud_order_review(
        order=order, actor=org["business_approver"], approve=True, licence_ok=True, payment_ok=True
    )
    with pytest.raises(DomainError, match="关联项目"):
        services.cloud_order_confirm(order=order, actor=org["cs_support"], integration_needed=True, need="对接")


def test_the_pmo_may_return_an_integration_request_with_a_reason(org, approved):
    services.cloud_order_confirm(order=approved, actor=org["cs_support"], integration_needed=True, need="对接")
    request = IntegrationRequest.objects.get(order=approved)
    with pytest.raises(DomainError, match="原因"):
        services.integration_decline(request=request, actor=org["project_director"], comment="")
    request = services.integration_decline(request=request, actor=org["project_director"], comment="标准接口即可")
    assert request.state == IntegrationRequest.State.DECLINED and not open_tasks_for(request).exists()
    assert org["cs_support"].notifications.filter(kind="integration_declined").count() == 1
