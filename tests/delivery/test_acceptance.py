import pytest
from django.core.exceptions import PermissionDenied

from aftersales.services import handover_submit
from approvals.errors import DomainError
from approvals.selectors import inbox_for, open_tasks_for
from delivery.models import AcceptanceApproval, AcceptanceIssue
from delivery.services import acceptance
from pmis.audit.models import AuditEntry
from projects.gates import gate_missing
from projects.models import Project
from tests.delivery.conftest import approve_acceptance, walk_to_acceptance

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("size", "needs", "not_needed"),
    [
        ("large", ("系统安装验收报告", "技术档案表"), "《安装验收报告》"),
        ("small", ("安装验收报告",), "技术档案表"),
    ],
)
def test_the_handover_gate_follows_the_projects_size(org, project, upload, size, needs, not_needed):
    project = walk_to_acceptance(org, project, upload, size=size)
    approve_acceptance(org, project)
    assert gate_missing(project, "submit_handover") == []
    other = walk_to_acceptance(org, _second_project(org, project), upload, size=size)
    from pmis.documents.models import Attachment

    Attachment.objects.filter(object_id=other.pk, doc_type__code__in=acceptance.SIZE_DOCUMENTS[size]).delete()
    missing = "；".join(gate_missing(other, "submit_handover"))
    assert all(f"《{name}》" in missing for name in needs) and not_needed not in missing
    assert "验收报告尚未经 CM 工程师和客户服务部审批通过" in missing


def _second_project(org, project):
    from projects import team

    other = Project.objects.create(
        code="PJ-X2",
        name="第二个项目",
        kind="local",
        customer_name="客户",
        region=project.region,
        pm=org["regional_pm"],
    )
    team.grant_user(other, org["regional_pm"], "manage_project")
    return other


def test_a_project_without_a_size_cannot_be_handed_over(org, in_acceptance):
    Project.objects.filter(pk=in_acceptance.pk).update(size="")
    in_acceptance.refresh_from_db()
    assert any("项目规模" in m for m in gate_missing(in_acceptance, "submit_handover"))
    with pytest.raises(DomainError, match="项目规模"):
        acceptance.acceptance_submit(project=in_acceptance, actor=org["regional_pm"])


def test_the_acceptance_report_goes_to_the_cm_engineer_then_customer_service(org, in_acceptance):
    pm, cm, service = org["regional_pm"], org["cm_engineer"], org["aftersales"]
    approval = acceptance.acceptance_submit(project=in_acceptance, actor=pm, note="请审批")
    task = open_tasks_for(approval).get()
    assert task.step == acceptance.CM_STEP and task in inbox_for(cm)
    with pytest.raises(PermissionDenied):
        acceptance.acceptance_decide(approval=approval, actor=service, approve=True)
    approval = acceptance.acceptance_decide(approval=approval, actor=cm, approve=True)
    assert approval.state == AcceptanceApproval.State.PENDING_SERVICE
    assert open_tasks_for(approval).get() in inbox_for(service)
    with pytest.raises(DomainError, match="正在审批中"):
        acceptance.acceptance_submit(project=in_acceptance, actor=pm)
    approval = acceptance.acceptance_decide(approval=approval, actor=service, approve=True, comment="同意")
    assert approval.state == AcceptanceApproval.State.APPROVED and not open_tasks_for(approval).exists()
    assert AuditEntry.objects.filter(object_id=approval.pk, action="acceptance.approve").count() == 2


def test_a_returned_report_needs_a_reason_and_can_be_submitted_again(org, in_acceptance):
    pm, cm = org["regional_pm"], org["cm_engineer"]
    approval = acceptance.acceptance_submit(project=in_acceptance, actor=pm)
    with pytest.raises(DomainError, match="原因"):
        acceptance.acceptance_decide(approval=approval, actor=cm, approve=False)
    approval = acceptance.acceptance_decide(approval=approval, actor=cm, approve=False, comment="缺少签字页")
    assert approval.state == AcceptanceApproval.State.RETURNED and not open_tasks_for(approval).exists()
    with pytest.raises(DomainError, match="无需审批"):
        acceptance.acceptance_decide(approval=approval, actor=cm, approve=True)
    again = acceptance.acceptance_submit(project=in_acceptance, actor=pm)
    assert again.state == AcceptanceApproval.State.PENDING_CM


def test_the_report_for_the_projects_size_must_be_there_before_submitting(org, project, upload):
    project = walk_to_acceptance(org, project, upload, size="small")
    acceptance.project_size_set(project=project, actor=org["regional_pm"], size="large")
    project.refresh_from_db()
    with pytest.raises(DomainError, match="系统安装验收报告"):
        acceptance.acceptance_submit(project=project, actor=org["regional_pm"])


def test_issues_left_at_acceptance_go_to_customer_service_with_the_handover(org, in_acceptance):
    pm, service = org["regional_pm"], org["aftersales"]
    issue = acceptance.acceptance_issue_add(project=in_acceptance, actor=pm, title="报表导出偶发超时")
    assert not open_tasks_for(issue).exists()
    approve_acceptance(org, in_acceptance)
    handover = handover_submit(project=in_acceptance, actor=pm, route=None)
    task = open_tasks_for(issue).get()
    assert task in inbox_for(service) and task.step == acceptance.ISSUE_STEP
    with pytest.raises(PermissionDenied):
        acceptance.acceptance_issue_close(issue=issue, actor=pm, resolution="好了")
    with pytest.raises(DomainError, match="处理结果"):
        acceptance.acceptance_issue_close(issue=issue, actor=service, resolution="")
    issue = acceptance.acceptance_issue_close(issue=issue, actor=service, resolution="已优化查询")
    assert issue.state == AcceptanceIssue.State.CLOSED and issue.closed_by == service
    assert not open_tasks_for(issue).exists()
    late = acceptance.acceptance_issue_add(project=in_acceptance, actor=pm, title="移交后补记的问题")
    assert open_tasks_for(late).exists()
    assert handover.project_id == in_acceptance.pk
