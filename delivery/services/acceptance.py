"""Acceptance by project size (002 项目验收): the PM submits the acceptance report, the CM engineer
and then 客户服务部 approve it; issues left at acceptance are handed to 客户服务部 with the handover
and closed by them one by one."""

from django.db import transaction
from django.utils import timezone

from approvals.errors import DomainError
from approvals.services import task_open
from pmis.audit.services import audit_record
from pmis.notify.services import notify
from projects import workspace
from projects.gates import present_documents
from projects.models import Project, State
from projects.services import can_manage

from ..models import AcceptanceApproval, AcceptanceIssue
from .common import close_steps, lock_project, require, step_task
from .satisfaction import survey_step_open

CM_STEP, SERVICE_STEP, ISSUE_STEP = "acceptance.cm", "acceptance.service", "acceptance.issue"
CM_GROUP = "cm_engineer"
SERVICE_GROUP = "aftersales"  # 002's 客户服务部 is today's 系统服务部
# 002 验收准备: 大项目为《系统安装验收报告》与《技术档案表》，小项目为《安装验收报告》
REPORT_BY_SIZE = {Project.Size.LARGE: "system-acceptance-report", Project.Size.SMALL: "acceptance-report"}
SIZE_DOCUMENTS = {
    Project.Size.LARGE: ("system-acceptance-report", "technical-archive"),
    Project.Size.SMALL: ("acceptance-report",),
}
# 002 验收测试 / 验收确认 / 项目实施过程监控: whatever the size
COMMON_DOCUMENTS = ("function-test-sheet", "service-promise-card", "handover-material-list", "summary-report")
HANDED_OVER = (State.HANDOVER, State.MAINTENANCE, State.CLOSED)


def required_documents(project: Project) -> tuple[str, ...]:
    """The acceptance documents of 002 this project needs, by its size (empty while unset)."""
    if project.size not in SIZE_DOCUMENTS:
        return ()
    return (*SIZE_DOCUMENTS[project.size], *COMMON_DOCUMENTS)


def _tab(project: Project) -> str:
    return workspace.tab_url(project, "acceptance")


@transaction.atomic
def acceptance_submit(*, project: Project, actor, note: str = "") -> AcceptanceApproval:
    project = lock_project(project)
    require(can_manage(actor, project), "只有项目经理可以提交验收报告审批")
    if project.state not in (State.LIVE, State.ACCEPTANCE):
        raise DomainError(f"项目当前为“{project.get_state_display()}”，系统正式上线后才能提交验收报告审批")
    if project.size not in REPORT_BY_SIZE:
        raise DomainError("项目规模（大 / 小）尚未设定，不能确定验收文档")
    report = REPORT_BY_SIZE[project.size]
    if report not in present_documents(project):
        name = "《系统安装验收报告》" if project.size == Project.Size.LARGE else "《安装验收报告》"
        raise DomainError(f"{project.get_size_display()}须先上传{name}")
    if project.acceptance_approvals.filter(
        state__in=[AcceptanceApproval.State.PENDING_CM, AcceptanceApproval.State.PENDING_SERVICE]
    ).exists():
        raise DomainError("验收报告正在审批中")
    if project.acceptance_approvals.filter(state=AcceptanceApproval.State.APPROVED).exists():
        raise DomainError("验收报告已批准")
    approval = AcceptanceApproval.objects.create(project=project, submitted_by=actor, note=note.strip())
    task_open(
        subject=approval, step=CM_STEP, step_label="验收报告审批（CM 工程师）", title=project.name,
        link=_tab(project), group=CM_GROUP, exclude_user=actor,
    )  # fmt: skip
    audit_record(subject=approval, action="acceptance.submit", label="提交验收报告审批", actor=actor,
                 to_state=approval.state)  # fmt: skip
    return approval


@transaction.atomic
def acceptance_decide(*, approval: AcceptanceApproval, actor, approve: bool, comment: str = "") -> AcceptanceApproval:
    approval = AcceptanceApproval.objects.select_for_update(of=("self",)).select_related("project").get(pk=approval.pk)
    step = {AcceptanceApproval.State.PENDING_CM: CM_STEP, AcceptanceApproval.State.PENDING_SERVICE: SERVICE_STEP}
    if approval.state not in step:
        raise DomainError(f"验收报告审批当前为“{approval.get_state_display()}”，无需审批")
    step_task(approval, step[approval.state], actor)
    if not approve and not comment.strip():
        raise DomainError("退回须填写原因")
    from_state, project, now = approval.state, approval.project, timezone.now()
    if not approve:
        approval.send_back(comment=comment.strip(), at=now)
    elif approval.state == AcceptanceApproval.State.PENDING_CM:
        approval.approve_cm()
    else:
        approval.comment = comment.strip()
        approval.approve_service(at=now)
    approval.save(update_fields=["state", "comment", "decided_at"])
    close_steps(approval, step[from_state], actor, "approve" if approve else "return")
    audit_record(
        subject=approval, action="acceptance.approve" if approve else "acceptance.return",
        label=f"验收报告审批{'通过' if approve else '退回'}", actor=actor, from_state=from_state,
        to_state=approval.state, comment=comment,
    )  # fmt: skip
    if approval.state == AcceptanceApproval.State.PENDING_SERVICE:
        task_open(
            subject=approval, step=SERVICE_STEP, step_label="验收报告审批（客户服务部）", title=project.name,
            link=_tab(project), group=SERVICE_GROUP, exclude_user=approval.submitted_by,
        )  # fmt: skip
    elif approval.state in (AcceptanceApproval.State.APPROVED, AcceptanceApproval.State.RETURNED):
        if approval.state == AcceptanceApproval.State.APPROVED:
            survey_step_open(project=project)  # 002: 市场部 surveys the customer after acceptance
        done = "已批准" if approve else f"被退回：{comment.strip()}"
        notify(
            recipients=[approval.submitted_by], title=f"验收报告{done[:3]}：{project.name}",
            body=f"验收报告审批{done}", link=_tab(project), subject=project, kind="acceptance_decided",
        )  # fmt: skip
    return approval


def _open_issue_task(issue: AcceptanceIssue) -> None:
    task_open(
        subject=issue, step=ISSUE_STEP, step_label="验收遗留问题跟踪", title=f"{issue.project.name}：{issue.title}",
        link=_tab(issue.project), group=SERVICE_GROUP, policy=None,
    )  # fmt: skip


@transaction.atomic
def acceptance_issue_add(*, project: Project, actor, title: str, description: str = "") -> AcceptanceIssue:
    """An issue left at acceptance (written in the acceptance report). It waits on 客户服务部 from
    the handover on; recorded after the handover, at once."""
    project = lock_project(project)
    require(can_manage(actor, project), "只有项目经理可以登记验收遗留问题")
    if not title.strip():
        raise DomainError("请填写遗留问题")
    issue = AcceptanceIssue.objects.create(
        project=project, title=title.strip(), description=description.strip(), created_by=actor
    )
    audit_record(subject=issue, action="acceptance_issue.add", label=f"登记验收遗留问题：{issue.title}", actor=actor)
    if project.state in HANDED_OVER:
        _open_issue_task(issue)
    return issue


def acceptance_issues_hand_over(*, project: Project, actor) -> int:
    """Called by the handover when it is submitted: each open issue waits on 客户服务部."""
    count = 0
    for issue in AcceptanceIssue.objects.filter(project=project, state=AcceptanceIssue.State.OPEN):
        if not issue.tasks.filter(state="open").exists():
            _open_issue_task(issue)
            count += 1
    if count:
        audit_record(subject=project, action="acceptance_issue.hand_over",
                     label=f"{count} 项验收遗留问题随移交交客户服务部跟踪", actor=actor)  # fmt: skip
    return count


@transaction.atomic
def acceptance_issue_close(*, issue: AcceptanceIssue, actor, resolution: str) -> AcceptanceIssue:
    issue = AcceptanceIssue.objects.select_for_update(of=("self",)).select_related("project").get(pk=issue.pk)
    if issue.state != AcceptanceIssue.State.OPEN:
        raise DomainError("该遗留问题已关闭")
    step_task(issue, ISSUE_STEP, actor)
    if not resolution.strip():
        raise DomainError("请填写处理结果")
    issue.close(by=actor, resolution=resolution.strip(), at=timezone.now())
    issue.save(update_fields=["state", "closed_by", "resolution", "closed_at"])
    close_steps(issue, ISSUE_STEP, actor, "closed")
    audit_record(subject=issue, action="acceptance_issue.close", label=f"关闭验收遗留问题：{issue.title}",
                 actor=actor, from_state="open", to_state="closed", comment=resolution)  # fmt: skip
    return issue


@transaction.atomic
def project_size_set(*, project: Project, actor, size: str) -> Project:
    """The size is set at initiation; a project initiated before it was asked gets it here, and
    the PM may correct it until the acceptance report is approved."""
    project = lock_project(project)
    require(can_manage(actor, project), "只有项目经理可以设定项目规模")
    if size not in Project.Size.values:
        raise DomainError("请选择项目规模（大项目 / 小项目）")
    if project.acceptance_approvals.exclude(state=AcceptanceApproval.State.RETURNED).exists():
        raise DomainError("验收报告已提交审批，不能再改项目规模")
    old = project.size
    project.size = size
    project.save(update_fields=["size", "updated_at"])
    audit_record(subject=project, action="project.size", label=f"项目规模：{project.get_size_display()}",
                 actor=actor, details={"from": old, "to": size})  # fmt: skip
    return project
