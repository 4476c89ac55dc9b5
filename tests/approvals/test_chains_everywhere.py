"""The one machinery of the chains on a product request (产品领取单, 000 §3.3.4–3.3.5), through its
pages: the chain declaration decides which step opens and for whom; 会签 waits for every member,
或签 for one; 加签 and 退回到指定环节 work as on a registration; a delegate pressing second reads
who decided it and when; the approver role and the deadline of a step are an admin change."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from approvals.chains import CHAINS, step_setting
from approvals.delegations import delegation_set
from approvals.models import ChainStepSetting, Task
from approvals.selectors import inbox_for, open_tasks_for, task_can_act
from pmis.audit.models import AuditEntry
from pmis.worktime.models import SlaPolicy
from projects.models import ProductRequest
from tests.approvals.test_chains import _colleague

pytestmark = pytest.mark.django_db

State = ProductRequest.State


@pytest.fixture
def request_for(org, project):
    """The implementer of the project files a product request; it waits on the regional PM."""
    from pmis.catalog.models import Product
    from projects import services as project_services

    # before the requirements are confirmed a product request goes with a 产品验证 task
    project_services.delivery_task_assign(
        project=project, actor=org["regional_pm"], type="verification", title="产品验证", assignee=org["implementer"]
    )

    def make():
        items = [
            {
                "product": Product.objects.get(name="电子印章认证"),
                "version": "V5",
                "licence_count": 1,
                "kind": "standard",
            }
        ]
        return project_services.product_request_create(project=project, actor=org["implementer"], items=items)

    return make


def _act(client, user, pr, action, **data):
    """Press a button of the page as it shows now."""
    pr.refresh_from_db()
    client.force_login(user)
    url = reverse("projects:product_request_action", args=[pr.project_id, pr.pk, action])
    return client.post(url, {"seen_state": pr.state, **data}, follow=True)


def _state(pr) -> str:
    pr.refresh_from_db()
    return pr.state


def test_the_declaration_decides_which_steps_open(org, request_for):
    chain = CHAINS["product_request"]
    assert chain.drives_tasks
    pr = request_for()
    task = open_tasks_for(pr).get()
    assert (task.step, task.group.name, task.region) == ("product_request.pm", "regional_pm", pr.project.region)
    assert task.exclude_user == org["implementer"]  # the requester never approves his own request
    assert task.step_label == step_setting("product_request.pm").label


def test_countersign_on_a_product_request_waits_for_every_member(client, org, request_for):
    other = _colleague(org["regional_pm"], "regional_pm3", "钱经理")
    ChainStepSetting.objects.filter(pk=step_setting("product_request.pm").pk).update(mode="all")
    pr = request_for()
    tasks = list(open_tasks_for(pr).order_by("assignee__username"))
    assert [t.assignee for t in tasks] == [org["regional_pm"], other]

    page = _act(client, org["regional_pm"], pr, "approve").content.decode()
    assert _state(pr) == State.PENDING_PM  # still waits for 钱经理
    assert "区域项目经理审核：会签通过（尚待 1 人）" in page
    assert AuditEntry.objects.filter(action="product_request.countersign", object_id=pr.pk).count() == 1
    assert not inbox_for(org["business_approver"]).filter(object_id=pr.pk, step__startswith="product_request").exists()
    _act(client, other, pr, "approve")
    assert _state(pr) == State.PENDING_BUSINESS
    assert inbox_for(org["business_approver"]).filter(object_id=pr.pk, step="product_request.business").exists()


def test_or_sign_on_a_product_request_needs_any_one(client, org, request_for):
    other = _colleague(org["regional_pm"], "regional_pm3", "钱经理")
    pr = request_for()
    task = open_tasks_for(pr).get()
    assert task_can_act(org["regional_pm"], task) and task_can_act(other, task)
    _act(client, other, pr, "approve")
    assert _state(pr) == State.PENDING_BUSINESS
    task.refresh_from_db()
    assert task.state == Task.State.DONE and task.closed_by == other


def test_a_return_in_a_countersign_ends_the_others_tasks(client, org, request_for):
    other = _colleague(org["regional_pm"], "regional_pm3", "钱经理")
    ChainStepSetting.objects.filter(pk=step_setting("product_request.pm").pk).update(mode="all")
    pr = request_for()
    _act(client, other, pr, "return", comment="授权数量与合同不符")
    assert _state(pr) == State.RETURNED
    assert list(open_tasks_for(pr).values_list("step", flat=True)) == ["product_request.revise"]


def test_return_to_a_middle_step_of_a_product_request_resumes_there(client, org, request_for):
    pr = request_for()
    _act(client, org["regional_pm"], pr, "approve")
    _act(client, org["business_approver"], pr, "approve")
    assert _state(pr) == State.PENDING_PRODUCT
    task = open_tasks_for(pr).get()
    client.force_login(org["product_dept"])
    detail = client.get(pr.get_absolute_url()).content.decode()
    assert reverse("approvals:return_to", args=[task.pk]) in detail
    page = client.get(reverse("approvals:return_to", args=[task.pk])).content.decode()
    assert "区域项目经理审核" in page and "商务审核" in page
    response = client.post(reverse("approvals:return_to", args=[task.pk]), {"step": "product_request.business"})
    assert "请填写退回原因" in response.content.decode()
    client.post(
        reverse("approvals:return_to", args=[task.pk]),
        {"step": "product_request.business", "reason": "合同只含一年授权，请商务复核"},
    )
    assert _state(pr) == State.PENDING_BUSINESS
    entry = AuditEntry.objects.get(action="product_request.return_to", object_id=pr.pk)
    assert entry.action_label == "产品发放退回到“商务审核”" and entry.comment == "合同只含一年授权，请商务复核"
    # the chain resumes from 商务审核, not from the regional PM
    assert not inbox_for(org["regional_pm"]).filter(object_id=pr.pk, step__startswith="product_request").exists()
    _act(client, org["business_approver"], pr, "approve")
    assert _state(pr) == State.PENDING_PRODUCT
    client.force_login(org["implementer"])
    page = client.get(pr.get_absolute_url()).content.decode()
    assert "产品发放退回到“商务审核”" in page
    current = page.split('aria-current="step"', 1)[1].split("</li>", 1)[0]
    assert "产品发放" in current


@pytest.mark.parametrize("position", ["before", "after", "beside"])
def test_add_signer_on_a_product_request(client, org, request_for, position):
    pr = request_for()
    mine = open_tasks_for(pr).get()
    signer = org["project_director"]
    client.force_login(org["regional_pm"])
    assert reverse("approvals:add_signer", args=[mine.pk]) in client.get(pr.get_absolute_url()).content.decode()
    client.post(
        reverse("approvals:add_signer", args=[mine.pk]),
        {"signer": signer.pk, "position": position, "reason": "涉及定制授权"},
    )
    added = open_tasks_for(pr).exclude(pk=mine.pk).get()
    assert added.assignee == signer and added.step == "product_request.pm"
    first, second = {
        "before": (signer, org["regional_pm"]),
        "after": (org["regional_pm"], signer),
        "beside": (signer, org["regional_pm"]),
    }[position]
    if position != "beside":
        assert not task_can_act(
            type(second).objects.get(pk=second.pk), Task.objects.get(pk=(added if second == signer else mine).pk)
        )
    _act(client, first, pr, "approve")
    assert _state(pr) == State.PENDING_PM  # waits for the other signer
    _act(client, type(second).objects.get(pk=second.pk), pr, "approve")
    assert _state(pr) == State.PENDING_BUSINESS


def test_the_delegate_pressing_second_reads_who_decided(client, org, request_for):
    today = timezone.localdate()
    delegate = org["regional_pm_south"]
    delegation_set(
        actor=org["regional_pm"],
        delegator=org["regional_pm"],
        delegate=delegate,
        starts_on=today,
        ends_on=today + timedelta(days=3),
        reason="出差",
    )
    pr = request_for()
    task = open_tasks_for(pr).get()
    assert task_can_act(delegate, task)
    # both open the page; the principal decides first
    seen = pr.state
    _act(client, org["regional_pm"], pr, "approve")
    client.force_login(delegate)
    url = reverse("projects:product_request_action", args=[pr.project_id, pr.pk, "approve"])
    page = client.post(url, {"seen_state": seen}, follow=True).content.decode()
    assert f"该环节已由 {org['regional_pm']} 于" in page
    # the same from a page without the state it showed (a stale one-click answer, the API)
    page = client.post(url, {}, follow=True).content.decode()
    assert f"该环节已由 {org['regional_pm']} 于" in page and "您无权" not in page
    assert _state(pr) == State.PENDING_BUSINESS


def test_the_principal_pressing_after_his_delegate_reads_who_decided(client, org, request_for):
    today = timezone.localdate()
    delegate = org["regional_pm_south"]
    delegation_set(
        actor=org["regional_pm"],
        delegator=org["regional_pm"],
        delegate=delegate,
        starts_on=today,
        ends_on=today + timedelta(days=3),
    )
    pr = request_for()
    task = open_tasks_for(pr).get()
    seen = pr.state
    _act(client, delegate, pr, "approve")
    task.refresh_from_db()
    assert task.closed_by_label == f"{delegate} 代 {org['regional_pm']} 审批"
    client.force_login(org["regional_pm"])
    url = reverse("projects:product_request_action", args=[pr.project_id, pr.pk, "approve"])
    page = client.post(url, {"seen_state": seen}, follow=True).content.decode()
    assert f"该环节已由 {delegate}" in page
    # 加签 on the step decided meanwhile says the same, not “not found”
    response = client.get(reverse("approvals:add_signer", args=[task.pk]), follow=True)
    assert response.status_code == 200 and f"该环节已由 {delegate} 代 {org['regional_pm']} 审批 于" in (
        response.content.decode()
    )


def test_who_and_the_deadline_of_a_product_request_step_are_an_admin_change(client, org, request_for):
    """The administrator edits the step's row on the admin page (审批环节设置); the next request
    waits on the new role with the new deadline — no code changes."""
    longer = SlaPolicy.objects.create(
        code="approval-three-days", name="三个工作日", clock="working", duration_minutes=27 * 60
    )
    setting = step_setting("product_request.business")
    client.force_login(org["admin"])
    url = reverse("admin:approvals_chainstepsetting_change", args=[setting.pk])
    page = client.get(url).content.decode()
    assert "审批角色" in page and "时限策略" in page
    client.post(
        url,
        {
            "code": setting.code,
            "label": "商务经理审核",
            "role": Group.objects.get(name="project_director").pk,
            "mode": "any",
            "policy": longer.pk,
        },
    )
    setting.refresh_from_db()
    assert setting.role.name == "project_director" and setting.policy == longer
    pr = request_for()
    _act(client, org["regional_pm"], pr, "approve")
    task = open_tasks_for(pr).get()
    assert task.step == "product_request.business" and task.step_label == "商务经理审核"
    assert task.group.name == "project_director" and task.policy == longer
    assert task_can_act(org["project_director"], task) and not task_can_act(org["business_approver"], task)
