"""Handover (移交): the PM hands an accepted project over; the receiver audits the materials."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from approvals.chains import chain_advance, chain_countersigned, chain_current, chain_step_end, chain_take
from approvals.errors import AlreadyDecided, DomainError
from approvals.models import Task
from approvals.services import task_close, task_open
from pmis.audit.services import audit_record
from pmis.catalog.models import DocumentType
from pmis.notify.services import notify
from projects.gates import ACCEPTANCE_DOCUMENTS, present_documents
from projects.models import Project
from projects.models import State as ProjectState
from projects.services import can_manage, news_post, project_transition

from ..models import Handover, HandoverItem

# What is handed over: the seven acceptance documents (000 §3.3.10) and the hand-over forms of 002.
HANDOVER_MATERIALS = (*ACCEPTANCE_DOCUMENTS, "handover-material-list", "service-promise-card", "technical-archive")


def handover_materials(project: Project) -> tuple[str, ...]:
    """The materials of this project's handover: the seven of 000 and the acceptance documents of
    002 for the project's size (a small project has no 技术档案表); all of them while it is unset."""
    from delivery.services.acceptance import required_documents

    by_size = required_documents(project)
    if not by_size:
        return HANDOVER_MATERIALS
    return (*ACCEPTANCE_DOCUMENTS, *(code for code in by_size if code not in ACCEPTANCE_DOCUMENTS))


RESUBMIT_STEP = "handover.resubmit"


def _locked_handover(handover: Handover) -> Handover:
    return Handover.objects.select_for_update(of=("self",)).select_related("project").get(pk=handover.pk)


def handover_context(handover: Handover) -> dict:
    """How a handover fills in the steps of its chain (approvals.chains, "handover")."""
    project = handover.project
    return {
        "title": f"{project.code} {project.name}",
        "link": handover.get_absolute_url(),
        "applicant": handover.submitted_by,
        "region": project.region,
    }


def _open_handover_step(handover: Handover) -> None:
    """The chain "handover" opens the step of the state the handover has entered: the
    客户成功负责人's approval and 客户成功部's audit on the customer-success route, 系统服务部's
    audit on the other — who, 会签 / 或签 and the deadline as the administrator set them."""
    chain_advance(handover)


def handover_route_for(project: Project) -> str:
    """Where a project is handed over (000 §3.6–3.7): a local / intranet project to 系统服务部, a SaaS
    (operated) project to customer success after the 客户成功负责人's approval."""
    return Handover.Route.CUSTOMER_SUCCESS if project.kind == Project.Kind.SAAS else Handover.Route.SYSTEM_SERVICE


@transaction.atomic
def handover_submit(*, project: Project, actor, route: str | None = None, note: str = "") -> Handover:
    """The PM submits the handover of an accepted project (the acceptance gate must hold). The
    route follows the project; asking for the other one is refused."""
    if not can_manage(actor, project):
        raise PermissionDenied("只有项目经理可以提交移交")
    expected = handover_route_for(project)
    if route is not None and route != expected:
        raise DomainError(
            f"{project.get_kind_display()}只能移交{Handover.Route(expected).label}"
            + ("，并须先经客户成功负责人审批" if expected == Handover.Route.CUSTOMER_SUCCESS else "")
        )
    route = expected
    returned = Task.objects.filter(
        content_type=ContentType.objects.get_for_model(Handover),
        object_id__in=Handover.objects.filter(project=project).values("pk"),
        step=RESUBMIT_STEP,
        state=Task.State.OPEN,
    )
    for task in returned:
        task_close(task=task, actor=actor, outcome="resubmitted")
    project = project_transition(
        project=project, actor=actor, action="submit_handover", comment=note, via_handover=True
    )
    handover = Handover.objects.create(
        project=project,
        route=route,
        state=Handover.State.PENDING_CS_HEAD
        if route == Handover.Route.CUSTOMER_SUCCESS
        else Handover.State.PENDING_AUDIT,
        submitted_by=actor,
        note=note,
    )
    present = present_documents(project)
    materials = handover_materials(project)
    names = dict(DocumentType.objects.filter(code__in=materials).values_list("code", "name"))
    HandoverItem.objects.bulk_create(
        [HandoverItem(handover=handover, code=c, name=names.get(c, c), present=c in present) for c in materials]
    )
    audit_record(subject=handover, action="handover.submit", label="提交移交", actor=actor, to_state=handover.state)
    _open_handover_step(handover)
    from delivery.services.acceptance import acceptance_issues_hand_over

    # 002 验收确认: issues left at acceptance go to 客户服务部 with the handover
    acceptance_issues_hand_over(project=project, actor=actor)
    from success.services import integration_handed_back

    # 000 §3.6.2: a SaaS project integrated for 售后支持组 is handed back with this handover
    integration_handed_back(project=project, handover=handover, actor=actor)
    return handover


def handover_news_title(project: Project) -> str:
    """“xxx项目已完成移交” (000 §3.7); project names already end in 项目 by the naming rule, so it is
    not said twice."""
    name = project.name.removesuffix("项目")
    return f"{name}项目已完成移交"


def _handover_task(handover: Handover, actor) -> Task:
    """The task of the step the handover waits on that this person may answer (会签 and 加签 open
    several); pressed second, “已由 X 于 … 处理”."""
    _step, task = chain_take(handover, actor)
    return task


def _return_handover(handover: Handover, task: Task, actor, comment: str) -> None:
    task_close(task=task, actor=actor, outcome="return")
    chain_step_end(handover, task.step, actor)
    handover.send_back(by=actor, at=timezone.now())
    handover.save(update_fields=["state", "decided_by", "decided_at"])
    project = Project.objects.select_for_update(of=("self",)).get(pk=handover.project_id)
    from_state = project.state
    project.handover_returned()
    project.save(update_fields=["state", "updated_at"])
    audit_record(
        subject=project,
        action="project.handover_returned",
        label="移交被退回",
        actor=actor,
        from_state=from_state,
        to_state=project.state,
        comment=comment,
    )
    # the PM completes the materials and submits the handover again (handover_submit closes this)
    task_open(
        subject=handover,
        step=RESUBMIT_STEP,
        step_label="补充材料后重新提交移交",
        title=f"{project.code} {project.name}（退回原因：{comment}）"[:200],
        link=project.get_absolute_url(),
        assignee=project.pm or handover.submitted_by,
        group="regional_pm",
        region=project.region,
        exclude_user=actor,
        policy=None,
        notify_waiting=False,  # told with the reason just below
    )
    notify(
        recipients=[handover.submitted_by, *([project.pm] if project.pm else [])],
        title=f"移交被退回：{project.name}",
        body=comment,
        link=handover.get_absolute_url(),
        subject=handover,
        kind="handover_returned",
    )


@transaction.atomic
def handover_cs_head_decide(*, handover: Handover, actor, approve: bool, comment: str = "") -> Handover:
    handover = _locked_handover(handover)
    if handover.state != Handover.State.PENDING_CS_HEAD:
        raise AlreadyDecided("该移交已被处理，请刷新页面")
    task = _handover_task(handover, actor)
    if not approve and not comment.strip():
        raise DomainError("退回必须填写原因")
    if approve:
        task_close(task=task, actor=actor, outcome="approve")
        if chain_countersigned(handover, chain_current(handover), actor, comment):
            return handover  # 会签 / 加签: the step moves on when everyone it waits on has approved
        handover.approve_cs_head()
        handover.save(update_fields=["state"])
        _open_handover_step(handover)
    else:
        _return_handover(handover, task, actor, comment)
    audit_record(
        subject=handover,
        action="handover.cs_head",
        label=f"客户成功负责人{'同意' if approve else '退回'}",
        actor=actor,
        comment=comment,
        to_state=handover.state,
    )
    return handover


@transaction.atomic
def handover_audit(*, handover: Handover, actor, verdicts: dict[int, tuple[str, str]], comment: str = "") -> Handover:
    """The receiver audits each material: all OK accepts (project → maintenance, news posted);
    any missing or wrong item returns the handover with those items named."""
    handover = _locked_handover(handover)
    if handover.state != Handover.State.PENDING_AUDIT:
        raise AlreadyDecided("该移交已被处理，请刷新页面")
    task = _handover_task(handover, actor)
    items = list(handover.items.all())
    for item in items:
        verdict, note = verdicts.get(item.pk, (HandoverItem.Verdict.PENDING, ""))
        if verdict not in HandoverItem.Verdict.values or verdict == HandoverItem.Verdict.PENDING:
            raise DomainError(f"请审核每一项材料：“{item.name}”尚未审核")
        if verdict != HandoverItem.Verdict.OK and not note.strip():
            raise DomainError(f"“{item.name}”{dict(HandoverItem.Verdict.choices)[verdict]}，请写明问题")
        item.verdict, item.note = verdict, note.strip()
    HandoverItem.objects.bulk_update(items, ["verdict", "note"])
    problems = [
        f"{i.name}（{i.get_verdict_display()}：{i.note}）" for i in items if i.verdict != HandoverItem.Verdict.OK
    ]
    if problems:
        detail = "；".join(problems)
        _return_handover(handover, task, actor, f"{comment}\n{detail}".strip())
        audit_record(
            subject=handover,
            action="handover.return",
            label="移交材料审核退回",
            actor=actor,
            comment=detail,
            to_state=handover.state,
        )
        return handover
    task_close(task=task, actor=actor, outcome="accept")
    chain_step_end(handover, task.step, actor)  # one audit answers the step
    handover.accept(by=actor, at=timezone.now())
    handover.save(update_fields=["state", "decided_by", "decided_at"])
    project = Project.objects.select_for_update(of=("self",)).get(pk=handover.project_id)
    project.accept_handover()
    project.save(update_fields=["state", "updated_at"])
    audit_record(
        subject=project,
        action="project.handover_accepted",
        label="移交已接收",
        actor=actor,
        from_state=ProjectState.HANDOVER,
        to_state=project.state,
        comment=comment,
    )
    audit_record(
        subject=handover, action="handover.accept", label="移交材料审核通过", actor=actor, to_state=handover.state
    )
    news_post(
        project=project,
        title=handover_news_title(project),
        body=f"{handover.get_route_display()}已审核通过移交材料，项目进入运维阶段。",
        actor=actor,
    )
    notify(
        recipients=[handover.submitted_by, *([project.pm] if project.pm else [])],
        title=f"移交已接收：{project.name}",
        link=project.get_absolute_url(),
        subject=project,
        kind="handover_accepted",
    )
    return handover
