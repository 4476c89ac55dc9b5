"""The reviews the documents ask of the director and the executives.

- 000 §3.3.2: the requirements the contract's standard products cannot fit go on the 需求清单及跟进表,
  which the 项目总监 reviews; implementation waits on that review (projects.gates).
- 002 试运行: when the customer rejects the trial run the project stops, the PM's analysis goes to
  the executives, and they decide what follows and give tasks."""

from django.db import transaction
from django.utils import timezone

from approvals.errors import DomainError
from approvals.services import task_open
from pmis.audit.services import audit_record
from pmis.notify.services import notify
from projects import workspace
from projects.models import Project, RequirementItem
from projects.services import can_manage

from ..models import Review
from .common import close_steps, lock_project, require, step_task
from .meetings import action_item_add

REQUIREMENTS_STEP, TRIAL_STEP = "review.requirements", "review.trial_rejection"
# items the standard products cannot fit: the 需求清单及跟进表 the director reviews
CUSTOM = (RequirementItem.Classification.CUSTOM_IN_CONTRACT, RequirementItem.Classification.CUSTOM_OUT_OF_CONTRACT)


def custom_requirements(project: Project):
    return project.requirements.filter(classification__in=CUSTOM).exclude(status=RequirementItem.Status.CANCELLED)


def requirements_review_missing(project: Project, *, custom_updated: list | None = None) -> str:
    """What the director's review still lacks before implementation; '' when nothing.
    `custom_updated` are when each of the project's custom items last changed, when the caller
    has read them already (the gate does)."""
    items = custom_requirements(project)
    if not (items.exists() if custom_updated is None else custom_updated):
        return ""
    review = project.reviews.filter(kind=Review.Kind.REQUIREMENTS).order_by("-requested_at", "-id").first()
    if review is None or review.state == Review.State.RETURNED:
        return "《需求清单及跟进表》含定制需求，须提交项目总监审核"
    if review.state == Review.State.PENDING:
        return "《需求清单及跟进表》正在等待项目总监审核"
    if custom_updated is None:
        changed = items.filter(updated_at__gt=review.decided_at).exists()
    else:
        changed = any(updated > review.decided_at for updated in custom_updated)
    if changed:
        return "《需求清单及跟进表》在项目总监审核后有变更，须重新提交审核"
    return ""


@transaction.atomic
def requirements_review_request(*, project: Project, actor, note: str = "") -> Review:
    project = lock_project(project)
    require(can_manage(actor, project), "只有项目经理可以提交需求清单审核")
    if not custom_requirements(project).exists():
        raise DomainError("需求清单中没有定制需求（合同内定制 / 合同外定制），无需项目总监审核")
    if project.reviews.filter(kind=Review.Kind.REQUIREMENTS, state=Review.State.PENDING).exists():
        raise DomainError("需求清单正在等待项目总监审核")
    review = Review.objects.create(
        project=project, kind=Review.Kind.REQUIREMENTS, note=note.strip(), requested_by=actor
    )
    task_open(
        subject=review, step=REQUIREMENTS_STEP, step_label="需求清单及跟进表审核", title=project.name,
        link=workspace.tab_url(project, "requirements"), group="project_director", exclude_user=actor,
    )  # fmt: skip
    audit_record(subject=review, action="review.request", label="提交需求清单及跟进表审核", actor=actor,
                 to_state=review.state)  # fmt: skip
    return review


@transaction.atomic
def requirements_review_decide(*, review: Review, actor, approve: bool, comment: str = "") -> Review:
    review = Review.objects.select_for_update(of=("self",)).select_related("project").get(pk=review.pk)
    if review.kind != Review.Kind.REQUIREMENTS or review.state != Review.State.PENDING:
        raise DomainError(f"该审核当前为“{review.get_state_display()}”，无需再审")
    step_task(review, REQUIREMENTS_STEP, actor)
    if not approve and not comment.strip():
        raise DomainError("退回须填写意见")
    now = timezone.now()
    if approve:
        review.approve(by=actor, at=now, comment=comment.strip())
    else:
        review.send_back(by=actor, at=now, comment=comment.strip())
    review.save(update_fields=["state", "decided_by", "decided_at", "decision"])
    close_steps(review, REQUIREMENTS_STEP, actor, "approve" if approve else "return")
    audit_record(subject=review, action="review.approve" if approve else "review.return",
                 label=f"需求清单审核{'通过' if approve else '退回'}", actor=actor, from_state="pending",
                 to_state=review.state, comment=comment)  # fmt: skip
    if review.requested_by_id:
        notify(
            recipients=[review.requested_by],
            title=f"需求清单审核{'通过' if approve else '退回'}：{review.project.name}",
            body=comment.strip() or "项目总监已审核需求清单及跟进表，请组织与产品、研发确认最终方案。",
            link=workspace.tab_url(review.project, "requirements"),
            subject=review.project,
            kind="review_decided",
        )
    return review


def trial_rejection_open(*, project: Project, actor, analysis: str) -> Review:
    """Called by the project's transition when the customer rejects the trial run: the PM's
    analysis goes to the executives, who decide what follows (a step in their inbox)."""
    review = Review.objects.create(
        project=project, kind=Review.Kind.TRIAL_REJECTION, note=analysis.strip(), requested_by=actor
    )
    task_open(
        subject=review, step=TRIAL_STEP, step_label="试运行不被认可：决定后续工作", title=project.name,
        link=workspace.tab_url(project, "meetings"), group="executive", policy="executive-decision",
    )  # fmt: skip
    audit_record(subject=review, action="review.trial_rejection", label="试运行不被认可，提交高管决定后续工作",
                 actor=actor, to_state=review.state)  # fmt: skip
    return review


@transaction.atomic
def trial_rejection_decide(*, review: Review, actor, decision: str, tasks: list[dict]) -> Review:
    """The executives' decision: what follows, and the tasks given (each with owner and date)."""
    review = Review.objects.select_for_update(of=("self",)).select_related("project").get(pk=review.pk)
    if review.kind != Review.Kind.TRIAL_REJECTION or review.state != Review.State.PENDING:
        raise DomainError("该决定已作出")
    step_task(review, TRIAL_STEP, actor)
    if not decision.strip():
        raise DomainError("请填写后续工作安排的决定")
    given = [t for t in tasks if (t.get("title") or "").strip()]
    if not given:
        raise DomainError("请至少下达一项任务（事项、负责人、完成日期）")
    review.decide(by=actor, at=timezone.now(), decision=decision.strip())
    review.save(update_fields=["state", "decided_by", "decided_at", "decision"])
    for spec in given:
        action_item_add(
            project=review.project, actor=actor, title=spec["title"], owner=spec.get("owner"),
            due_date=spec.get("due_date"), review=review,
        )  # fmt: skip
    close_steps(review, TRIAL_STEP, actor, "decided")
    audit_record(subject=review, action="review.decide", label="高管决定试运行后续工作", actor=actor,
                 from_state="pending", to_state=review.state, comment=decision)  # fmt: skip
    return review
