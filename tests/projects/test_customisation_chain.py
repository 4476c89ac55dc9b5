"""The customisation chain (000 §3.3.2, §3.4) as data: its page shows the 流程图; with no 研发经理
named, 研发确认 as 会签 waits for every 立项专家 / 开发经理; the responsible sales sends the estimate
back to 研发确认 and the chain resumes there."""

import pytest
from django.urls import reverse

from approvals.chains import step_setting
from approvals.models import ChainStepSetting
from approvals.selectors import inbox_for, open_tasks_for
from pmis.audit.models import AuditEntry
from projects import services
from projects.models import CustomisationRequest
from tests.approvals.test_chains import _colleague

pytestmark = pytest.mark.django_db

State = CustomisationRequest.State


def _estimate(org, project, rd_expert=None):
    item = services.requirement_add(
        project=project, actor=org["regional_pm"], title="对接自建流程平台", classification="custom_out_of_contract"
    )
    return services.customisation_estimate(
        request=item.customisation, actor=org["regional_pm"], person_days=8, note="含接口", rd_expert=rd_expert
    )


def test_rd_confirmation_as_countersign_waits_for_every_expert(client, org, project):
    other = _colleague(org["rd_expert"], "rd_expert2", "钱研发")
    ChainStepSetting.objects.filter(pk=step_setting("customisation.rd").pk).update(mode="all")
    cr = _estimate(org, project)
    assert sorted(t.assignee.username for t in open_tasks_for(cr)) == sorted([org["rd_expert"].username, "rd_expert2"])
    cr = services.customisation_rd_decide(request=cr, actor=org["rd_expert"], confirm=True, solution="开放接口对接")
    cr.refresh_from_db()
    assert cr.state == State.PENDING_RD
    assert AuditEntry.objects.filter(action="customisation.countersign", object_id=cr.pk).count() == 1
    assert not inbox_for(org["sales"]).filter(step__startswith="customisation.").exists()
    services.customisation_rd_decide(request=cr, actor=other, confirm=True, solution="开放接口对接")
    cr.refresh_from_db()
    assert cr.state == State.PENDING_SALES
    client.force_login(org["regional_pm"])
    page = client.get(cr.get_absolute_url()).content.decode()
    assert "定制工作量确认" in page.split('aria-current="step"', 1)[1].split("</li>", 1)[0]


def test_sales_returns_it_to_rd_and_it_resumes_there(client, org, project):
    cr = _estimate(org, project, rd_expert=org["rd_expert"])
    cr = services.customisation_rd_decide(request=cr, actor=org["rd_expert"], confirm=True, solution="开放接口对接")
    task = open_tasks_for(cr).get()
    assert task.step == "customisation.confirm"
    client.force_login(org["sales"])
    client.post(
        reverse("approvals:return_to", args=[task.pk]),
        {"step": "customisation.rd", "reason": "8 人天超出预算，请研发复核方案"},
    )
    cr.refresh_from_db()
    assert cr.state == State.PENDING_RD
    assert [t.step for t in inbox_for(org["rd_expert"])] == ["customisation.rd"]
    entry = AuditEntry.objects.get(action="customisation.return_to", object_id=cr.pk)
    assert entry.action_label == "定制工作量确认退回到“研发确认技术方案与工作量”"
    services.customisation_rd_decide(request=cr, actor=org["rd_expert"], confirm=True, solution="复用标准接口")
    cr.refresh_from_db()
    assert cr.state == State.PENDING_SALES
