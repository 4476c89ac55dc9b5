"""The change and release chains (004) as data: the pages show their 流程图 with the current step;
质量验证 as 会签 waits for every 质量人员; the PM's 签字 step sends a release back to its test and
the chain resumes there; who answers a step is the admin's step row."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from approvals.chains import step_setting
from approvals.models import ChainStepSetting
from approvals.selectors import inbox_for, open_tasks_for, task_can_act
from changes import services
from changes.models import ChangeRequest, Release
from pmis.audit.models import AuditEntry
from tests.approvals.test_chains import _colleague

from .conftest import CHANGE, RELEASE

pytestmark = pytest.mark.django_db


def _current(page: str) -> str:
    return page.split('aria-current="step"', 1)[1].split("</li>", 1)[0]


def _to_verification(org, live) -> ChangeRequest:
    pm, lead = org["regional_pm"], org["requirement_lead"]
    cr = services.change_request_submit(project=live, actor=org["implementer"], data=CHANGE)
    cr = services.change_request_review(change=cr, actor=pm, approved=True, answer="同意")
    cr = services.change_request_evaluate(
        change=cr, actor=pm, impact="小", person_days=2, size="small", needs_meeting=False,
        planned_date=timezone.localdate() + timedelta(days=10),
    )  # fmt: skip
    return services.change_request_work_done(change=cr, actor=lead, design_note="完成")


def test_the_change_page_shows_its_chain(client, org, live):
    cr = _to_verification(org, live)
    client.force_login(org["implementer"])
    page = client.get(cr.get_absolute_url()).content.decode()
    assert "质量验证" in _current(page)
    assert page.count("flow-node flow-done") == 3  # 初审, 评估, 实施; no meeting: 需求讨论 is not its step
    assert "需求讨论（记录纪要）" not in page.split("流程图", 1)[1].split("</ol>", 1)[0]


def test_verification_as_countersign_waits_for_every_quality_member(org, live):
    other = _colleague(org["quality"], "quality2", "钱质量")
    ChainStepSetting.objects.filter(pk=step_setting("change.verify").pk).update(mode="all")
    cr = _to_verification(org, live)
    assert sorted(t.assignee.username for t in open_tasks_for(cr)) == sorted([org["quality"].username, "quality2"])
    cr = services.change_request_verify(change=cr, actor=org["quality"], passed=True, note="通过")
    cr.refresh_from_db()
    assert cr.state == ChangeRequest.State.VERIFYING
    assert AuditEntry.objects.filter(action="change.countersign", object_id=cr.pk).count() == 1
    services.change_request_verify(change=cr, actor=other, passed=True, note="通过")
    cr.refresh_from_db()
    assert cr.state == ChangeRequest.State.VERIFIED


def test_the_pm_returns_a_release_to_its_test_and_it_resumes_there(client, org, live):
    pm, quality = org["regional_pm"], org["quality"]
    later = timezone.now() + timedelta(days=5)
    release = services.release_request(project=live, actor=org["implementer"], data={**RELEASE, "planned_at": later})
    if release.state == Release.State.PENDING_DIRECTOR:
        release = services.release_director_decide(release=release, actor=org["project_director"], approve=True)
    release = services.release_assign_tester(release=release, actor=pm, tester=quality)
    release = services.release_test(release=release, actor=quality, passed=True, result="通过")
    task = open_tasks_for(release).get()
    assert task.step == "release.signoff"
    client.force_login(pm)
    page = client.get(release.get_absolute_url()).content.decode()
    assert "项目经理签字审批" in _current(page)
    assert reverse("approvals:return_to", args=[task.pk]) in page
    client.post(reverse("approvals:return_to", args=[task.pk]), {"step": "release.test", "reason": "请补测回滚脚本"})
    release.refresh_from_db()
    assert release.state == Release.State.TESTING
    assert [t.step for t in inbox_for(quality) if t.object_id == release.pk] == ["release.test"]
    entry = AuditEntry.objects.get(action="release.return_to", object_id=release.pk)
    assert entry.action_label == "项目经理签字审批退回到“测试发布版本”"
    services.release_test(release=release, actor=quality, passed=True, result="回滚脚本已补测")
    release.refresh_from_db()
    assert release.state == Release.State.PENDING_SIGNOFF


def test_who_verifies_a_change_is_an_admin_change(org, live):
    ChainStepSetting.objects.filter(pk=step_setting("change.verify").pk).update(
        role=Group.objects.get(name="project_director")
    )
    cr = _to_verification(org, live)
    task = open_tasks_for(cr).get()
    assert task.group.name == "project_director"
    assert task_can_act(org["project_director"], task) and not task_can_act(org["quality"], task)
