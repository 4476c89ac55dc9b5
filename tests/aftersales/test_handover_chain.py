"""The handover's chain (000 §3.6–3.7) through its pages: the route decides its steps and the
流程图 shows them with the current one highlighted; 会签 waits for every 客户成功负责人, 或签 for one;
加签 after the approver; the receiver returns it to the 客户成功负责人's step and it resumes there."""

import pytest
from django.urls import reverse

from aftersales.models import Handover
from aftersales.services import handover_submit
from approvals.chains import step_setting
from approvals.models import ChainStepSetting, Task
from approvals.selectors import inbox_for, open_tasks_for, task_can_act
from pmis.audit.models import AuditEntry
from tests.approvals.test_chains import _colleague

pytestmark = pytest.mark.django_db


def _decide(client, user, handover, **data):
    handover.refresh_from_db()
    client.force_login(user)
    url = reverse("aftersales:handover_decide", args=[handover.pk])
    return client.post(url, {"seen_state": handover.state, **data}, follow=True)


def _state(handover) -> str:
    handover.refresh_from_db()
    return handover.state


def _current(page: str) -> str:
    return page.split('aria-current="step"', 1)[1].split("</li>", 1)[0]


def test_each_route_shows_its_own_chain(client, org, accepted):
    handover = handover_submit(project=accepted, actor=org["regional_pm"])
    client.force_login(org["aftersales"])
    page = client.get(handover.get_absolute_url()).content.decode()
    assert "系统服务部审核移交材料" in _current(page)
    assert "客户成功负责人审批移交" not in page  # not a step of this route


def test_countersign_on_a_handover_waits_for_every_member(client, org, accepted_saas):
    other = _colleague(org["cs_head"], "cs_head2", "钱负责人")
    ChainStepSetting.objects.filter(pk=step_setting("handover.cs_head").pk).update(mode="all")
    handover = handover_submit(project=accepted_saas, actor=org["regional_pm"])
    assert sorted(t.assignee.username for t in open_tasks_for(handover)) == sorted(
        [org["cs_head"].username, "cs_head2"]
    )
    page = _decide(client, org["cs_head"], handover, decision="approve").content.decode()
    assert _state(handover) == Handover.State.PENDING_CS_HEAD
    assert "客户成功负责人审批移交：会签通过（尚待 1 人）" in page
    assert "客户成功负责人审批移交" in _current(page)
    assert not inbox_for(org["cs_staff"]).filter(step="handover.cs_audit").exists()
    _decide(client, other, handover, decision="approve")
    assert _state(handover) == Handover.State.PENDING_AUDIT
    assert [t.step for t in inbox_for(org["cs_staff"])] == ["handover.cs_audit"]


def test_or_sign_on_a_handover_needs_any_one(client, org, accepted_saas):
    other = _colleague(org["cs_head"], "cs_head2", "钱负责人")
    handover = handover_submit(project=accepted_saas, actor=org["regional_pm"])
    task = open_tasks_for(handover).get()
    assert task_can_act(org["cs_head"], task) and task_can_act(other, task)
    _decide(client, other, handover, decision="approve")
    assert _state(handover) == Handover.State.PENDING_AUDIT
    task.refresh_from_db()
    assert task.state == Task.State.DONE and task.closed_by == other


def test_add_signer_after_the_approver_of_a_handover(client, org, accepted_saas):
    handover = handover_submit(project=accepted_saas, actor=org["regional_pm"])
    mine = open_tasks_for(handover).get()
    client.force_login(org["cs_head"])
    page = client.get(handover.get_absolute_url()).content.decode()
    assert reverse("approvals:add_signer", args=[mine.pk]) in page
    signer = org["aftersales_manager"]
    client.post(
        reverse("approvals:add_signer", args=[mine.pk]),
        {"signer": signer.pk, "position": "after", "reason": "涉及售后承诺"},
    )
    added = open_tasks_for(handover).exclude(pk=mine.pk).get()
    assert added.assignee == signer and not task_can_act(signer, added)
    _decide(client, org["cs_head"], handover, decision="approve")
    assert _state(handover) == Handover.State.PENDING_CS_HEAD  # waits for the added signer
    _decide(client, type(signer).objects.get(pk=signer.pk), handover, decision="approve")
    assert _state(handover) == Handover.State.PENDING_AUDIT


def test_the_receiver_returns_it_to_the_approval_and_it_resumes_there(client, org, accepted_saas):
    handover = handover_submit(project=accepted_saas, actor=org["regional_pm"])
    _decide(client, org["cs_head"], handover, decision="approve")
    task = open_tasks_for(handover).get()
    assert task.step == "handover.cs_audit"
    client.force_login(org["cs_staff"])
    page = client.get(handover.get_absolute_url()).content.decode()
    assert reverse("approvals:return_to", args=[task.pk]) in page
    client.post(
        reverse("approvals:return_to", args=[task.pk]),
        {"step": "handover.cs_head", "reason": "服务承诺卡与合同不一致，请负责人确认"},
    )
    assert _state(handover) == Handover.State.PENDING_CS_HEAD
    entry = AuditEntry.objects.get(action="handover.return_to", object_id=handover.pk)
    assert entry.action_label == "客户成功部审核移交材料退回到“客户成功负责人审批移交”"
    assert [t.step for t in inbox_for(org["cs_head"]) if t.object_id == handover.pk] == ["handover.cs_head"]
    page = _decide(client, org["cs_head"], handover, decision="approve").content.decode()
    assert _state(handover) == Handover.State.PENDING_AUDIT
    assert "客户成功部审核移交材料" in _current(page)
