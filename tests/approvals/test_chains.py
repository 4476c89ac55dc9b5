"""Chains as data: 会签 waits for all, 或签 for one; 退回到指定环节 resumes from the chosen step; 加签
before, after and beside; the record's 流程图 highlights its current step; the approver role and
the deadline are an admin change."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from approvals.chains import CHAINS, chains_seed, step_setting
from approvals.models import ChainStepSetting, Task
from approvals.selectors import inbox_for, open_tasks_for, task_can_act
from pmis.audit.models import AuditEntry
from pmis.worktime.models import SlaPolicy
from registrations.models import State
from registrations.services import registration_decide, registration_submit
from tests.conftest import CHECKED

pytestmark = pytest.mark.django_db


def _colleague(of, username, name):
    from guardian.shortcuts import assign_perm

    from pmis.org.models import User
    from pmis.org.selectors import user_regions
    from pmis.org.services import REGION_PERMISSION

    colleague = User.objects.create(username=username, display_name=name, department=of.department, region=of.region)
    colleague.groups.set(of.groups.all())
    for region in user_regions(of):
        assign_perm(REGION_PERMISSION, colleague, region)
    return colleague


@pytest.fixture
def special(org, make_registration):
    """Submits an unsigned registration: 销售主管 → 特批领导 → 商务."""

    def submit():
        return registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])

    return submit


def test_or_sign_needs_any_one(org, special):
    other = _colleague(org["sales_manager"], "sales_manager3", "钱主管")
    r = special()
    task = open_tasks_for(r).get()
    assert task_can_act(org["sales_manager"], task) and task_can_act(other, task)
    registration_decide(registration=r, actor=other, decision="approve")
    r.refresh_from_db()
    assert r.state == State.PENDING_SPECIAL
    task.refresh_from_db()
    assert not task_can_act(org["sales_manager"], task)


def test_countersign_waits_for_all(client, org, special):
    other = _colleague(org["sales_manager"], "sales_manager3", "钱主管")
    setting = step_setting("registration.sales_manager")
    setting.mode = ChainStepSetting.Mode.ALL
    setting.save()
    r = special()
    tasks = list(open_tasks_for(r).order_by("assignee__username"))
    assert [t.assignee for t in tasks] == [org["sales_manager"], other]
    assert r.tasks.filter(step="registration.sales_manager").count() == 2

    client.force_login(org["sales_manager"])
    client.post(reverse("registrations:decide", args=[r.pk]), {"decision": "approve", "seen_state": r.state})
    r.refresh_from_db()
    assert r.state == State.PENDING_SALES_MANAGER  # still waits for 钱主管
    assert AuditEntry.objects.filter(action="registration.countersign", object_id=r.pk).count() == 1
    page = client.get(reverse("registrations:detail", args=[r.pk])).content.decode()
    assert "会签" in page and "尚待 1 人" in page
    registration_decide(registration=r, actor=other, decision="approve")
    r.refresh_from_db()
    assert r.state == State.PENDING_SPECIAL


def test_a_return_in_a_countersign_ends_the_others_tasks(org, special):
    other = _colleague(org["sales_manager"], "sales_manager3", "钱主管")
    ChainStepSetting.objects.filter(pk=step_setting("registration.sales_manager").pk).update(mode="all")
    r = special()
    registration_decide(registration=r, actor=other, decision="return", comment="补充回款计划")
    r.refresh_from_db()
    assert r.state == State.RETURNED
    assert not open_tasks_for(r).filter(step="registration.sales_manager").exists()


def test_return_to_a_middle_step_resumes_there(client, org, special):
    r = special()
    registration_decide(registration=r, actor=org["sales_manager"], decision="approve")
    registration_decide(registration=r, actor=org["special_approver"], decision="approve")
    r.refresh_from_db()
    assert r.state == State.PENDING_BUSINESS
    task = open_tasks_for(r).get()
    client.force_login(org["business_approver"])
    page = client.get(reverse("approvals:return_to", args=[task.pk])).content.decode()
    assert "销售主管审批" in page and "特批领导审批" in page
    # a refusal keeps what was typed
    response = client.post(reverse("approvals:return_to", args=[task.pk]), {"step": "registration.special"})
    assert "请填写退回原因" in response.content.decode()
    client.post(
        reverse("approvals:return_to", args=[task.pk]), {"step": "registration.special", "reason": "回款计划需特批确认"}
    )
    r.refresh_from_db()
    assert r.state == State.PENDING_SPECIAL
    assert list(inbox_for(org["special_approver"]).filter(object_id=r.pk)) == list(open_tasks_for(r))
    entry = AuditEntry.objects.get(action="registration.return_to", object_id=r.pk)
    assert entry.action_label == "商务审批退回到“特批领导审批”" and entry.comment == "回款计划需特批确认"
    # the chain resumes from there: 特批 → 商务, not from the start
    registration_decide(registration=r, actor=org["special_approver"], decision="approve")
    r.refresh_from_db()
    assert r.state == State.PENDING_BUSINESS
    history = client.get(reverse("registrations:detail", args=[r.pk])).content.decode()
    assert "商务审批退回到“特批领导审批”" in history
    registration_decide(registration=r, actor=org["business_approver"], decision="approve", review=CHECKED)
    r.refresh_from_db()
    assert r.state == State.DISPATCHED


def test_return_to_a_step_not_passed_is_refused(client, org, make_registration):
    r = registration_submit(registration=make_registration(), actor=org["sales"])  # signed: straight to 商务
    task = open_tasks_for(r).get()
    client.force_login(org["business_approver"])
    response = client.post(
        reverse("approvals:return_to", args=[task.pk]), {"step": "registration.sales_manager", "reason": "x"}
    )
    assert "选择一个有效的选项" in response.content.decode() or "只能退回到" in response.content.decode()
    r.refresh_from_db()
    assert r.state == State.PENDING_BUSINESS


@pytest.mark.parametrize("position", ["before", "after", "beside"])
def test_add_signer_before_after_beside(client, org, special, position):
    r = special()
    mine = open_tasks_for(r).get()
    signer = org["business_approver"]
    client.force_login(org["sales_manager"])
    url = reverse("approvals:add_signer", args=[mine.pk])
    response = client.post(url, {"signer": signer.pk, "position": position})
    assert "请填写加签原因" in response.content.decode()
    client.post(url, {"signer": signer.pk, "position": position, "reason": "涉及合同条款"})
    added = open_tasks_for(r).exclude(pk=mine.pk).get()
    assert added.assignee == signer and added.step == mine.step
    assert AuditEntry.objects.filter(action="task.add_signer", object_id=r.pk).count() == 1
    mine.refresh_from_db()
    manager = type(signer).objects.get(pk=org["sales_manager"].pk)
    if position == "before":
        assert not task_can_act(manager, mine) and task_can_act(signer, added)
        registration_decide(registration=r, actor=signer, decision="approve")
        assert task_can_act(type(signer).objects.get(pk=manager.pk), Task.objects.get(pk=mine.pk))
        registration_decide(registration=r, actor=manager, decision="approve")
    elif position == "after":
        assert task_can_act(manager, mine) and not task_can_act(signer, added)
        registration_decide(registration=r, actor=manager, decision="approve")
        r.refresh_from_db()
        assert r.state == State.PENDING_SALES_MANAGER  # waits for the added signer
        registration_decide(registration=r, actor=type(signer).objects.get(pk=signer.pk), decision="approve")
    else:
        assert task_can_act(manager, mine) and task_can_act(signer, added)
        registration_decide(registration=r, actor=signer, decision="approve")
        r.refresh_from_db()
        assert r.state == State.PENDING_SALES_MANAGER
        registration_decide(registration=r, actor=manager, decision="approve")
    r.refresh_from_db()
    assert r.state == State.PENDING_SPECIAL


def test_the_flow_chart_highlights_the_current_step(client, org, special):
    r = special()
    registration_decide(registration=r, actor=org["sales_manager"], decision="approve")
    client.force_login(org["sales"])
    page = client.get(reverse("registrations:detail", args=[r.pk])).content.decode()
    assert 'class="flow-node flow-done"' in page
    current = page.split('aria-current="step"', 1)[1].split("</li>", 1)[0]
    assert "特批领导审批" in current and "当前环节" in current


def test_who_and_the_deadline_are_an_admin_change(org, make_registration):
    assert chains_seed() == sum(len(c.steps) for c in CHAINS.values())
    assert chains_seed() == 0  # an edited row keeps its values
    longer = SlaPolicy.objects.create(
        code="approval-two-days", name="两个工作日", clock="working", duration_minutes=18 * 60
    )
    ChainStepSetting.objects.filter(code="registration.business").update(
        role=Group.objects.get(name="project_director"), policy=longer, label="总监审批"
    )
    r = registration_submit(registration=make_registration(), actor=org["sales"])  # signed: straight to 商务
    task = open_tasks_for(r).get()
    assert task.group.name == "project_director" and task.policy == longer and task.step_label == "总监审批"
    assert task_can_act(org["project_director"], task) and not task_can_act(org["business_approver"], task)


def test_a_product_request_shows_its_chain_and_its_applicant_urges(client, org, project):
    from pmis.catalog.models import Product
    from projects import services as project_services

    items = [
        {"product": Product.objects.get(name="电子印章认证"), "version": "V5", "licence_count": 1, "kind": "standard"}
    ]
    project_services.delivery_task_assign(
        project=project, actor=org["regional_pm"], type="verification", title="产品验证", assignee=org["implementer"]
    )
    pr = project_services.product_request_create(project=project, actor=org["implementer"], items=items)
    client.force_login(org["implementer"])
    page = client.get(reverse("projects:product_request", args=[project.pk, pr.pk])).content.decode()
    current = page.split('aria-current="step"', 1)[1].split("</li>", 1)[0]
    assert "区域项目经理审核" in current
    task = open_tasks_for(pr).get()
    client.post(reverse("approvals:urge", args=[task.pk]))
    assert AuditEntry.objects.filter(action="task.urge", object_id=pr.pk).count() == 1
