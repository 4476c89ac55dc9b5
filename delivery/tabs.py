"""The delivery tabs of the project workspace: 会议 (with the director's and executives' reviews),
培训, 验收, 满意度. Each context reads what its fragment shows in a fixed number of queries."""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from approvals.models import Task
from approvals.selectors import task_can_act
from projects import workspace
from projects.gates import present_documents
from projects.tabs import access  # the request's one permission checker

from . import forms, selectors
from .models import AcceptanceApproval, AcceptanceIssue, ActionItem, Review, Survey, TrainingSession
from .services import acceptance, reviews, satisfaction


def _bound(request, name: str, make):
    return getattr(request, "delivery_bound", {}).get(name) or make()


def _open_tasks(records) -> dict[tuple[int, int], list[Task]]:
    """Open inbox steps of these records, by (content type, id), in one query."""
    from django.contrib.contenttypes.models import ContentType

    records = list(records)
    if not records:
        return {}
    found: dict[tuple[int, int], list[Task]] = {}
    by_type: dict[int, list[int]] = {}
    for record in records:
        ct = ContentType.objects.get_for_model(record)
        by_type.setdefault(ct.pk, []).append(record.pk)
    from django.db.models import Q

    condition = Q()
    for ct_id, ids in by_type.items():
        condition |= Q(content_type_id=ct_id, object_id__in=ids)
    for task in Task.objects.filter(condition, state=Task.State.OPEN).select_related("group"):
        found.setdefault((task.content_type_id, task.object_id), []).append(task)
    return found


def _mark_actionable(user, records, tasks) -> None:
    from django.contrib.contenttypes.models import ContentType

    for record in records:
        key = (ContentType.objects.get_for_model(record).pk, record.pk)
        open_steps = tasks.get(key, [])
        record.open_step = open_steps[0] if open_steps else None
        record.can_act = any(task_can_act(user, t) for t in open_steps)


def meetings_context(request, project) -> dict:
    user = request.user
    actions = ActionItem.objects.select_related("owner").order_by("due_date", "id")
    meeting_rows = list(project.meetings.prefetch_related(Prefetch("action_items", queryset=actions)))
    # the executives' decisions after a rejected trial run; the requirement-list review is on 需求
    review_rows = list(
        project.reviews.filter(kind=Review.Kind.TRIAL_REJECTION)
        .select_related("requested_by", "decided_by")
        .prefetch_related(Prefetch("action_items", queryset=actions))
    )
    all_actions = [a for m in meeting_rows for a in m.action_items.all()] + [
        a for r in review_rows for a in r.action_items.all()
    ]
    tasks = _open_tasks([*review_rows, *all_actions])
    _mark_actionable(user, review_rows, tasks)
    member = access(request, project).member
    for m in meeting_rows:
        m.end_form = _bound(request, f"end_form_{m.pk}", lambda m=m: forms.MeetingEndForm(prefix=f"end{m.pk}"))
        m.action_form = _bound(
            request, f"action_form_{m.pk}", lambda m=m: forms.ActionItemForm(project=project, prefix=f"act{m.pk}")
        )
    for a in all_actions:
        a.can_finish = a.state == ActionItem.State.OPEN and (a.owner_id == user.pk or member)
        a.done_form = _bound(request, f"done_form_{a.pk}", lambda a=a: forms.IssueCloseForm(prefix=f"done{a.pk}"))
    for r in review_rows:
        if r.can_act:
            r.trial_form = _bound(request, "trial_form", lambda: forms.TrialDecisionForm(project=project))
    return {
        "meetings": meeting_rows,
        "reviews": review_rows,
        "member": member,
        "manage": access(request, project).manage,
        "meeting_form": _bound(
            request, "meeting_form", lambda: forms.MeetingForm(initial={"held_on": timezone.localdate()})
        ),
        "risks_url": workspace.tab_url(project, "risks"),
    }


def requirements_review_context(request, project) -> dict:
    """The director's review of the 需求清单及跟进表 (000 §3.3.2), a section of the 需求 tab."""
    rows = list(project.reviews.filter(kind=Review.Kind.REQUIREMENTS).select_related("requested_by", "decided_by"))
    _mark_actionable(request.user, rows, _open_tasks(rows))
    custom = list(reviews.custom_requirements(project).values_list("title", "updated_at"))
    return {
        "requirement_reviews": rows,
        "review_manage": access(request, project).manage,
        "review_form": _bound(request, "review_form", forms.NoteForm),
        "review_decision_form": _bound(request, "review_decision_form", forms.CommentForm),
        # the custom items are read once, for their titles and for whether they changed since the review
        "requirements_review_missing": reviews.requirements_review_missing(
            project, custom_updated=[updated for _, updated in custom]
        ),
        "custom_requirements": [title for title, _ in custom],
    }


def training_context(request, project) -> dict:
    user = request.user
    sessions = TrainingSession.objects.prefetch_related("attendees").order_by("starts_at", "id")
    plans = list(
        project.training_plans.select_related("trainer").prefetch_related(Prefetch("sessions", queryset=sessions))
    )
    manage = access(request, project).manage
    for plan in plans:
        plan.can_edit = manage or plan.trainer_id == user.pk
        plan.session_form = _bound(
            request, f"session_form_{plan.pk}", lambda p=plan: forms.SessionForm(prefix=f"s{p.pk}")
        )
        plan.notice_form = _bound(
            request,
            f"notice_form_{plan.pk}",
            lambda p=plan: forms.NoticeForm(prefix=f"n{p.pk}", initial={"notice": p.notice}),
        )
    return {
        "plans": plans,
        "manage": manage,
        "plan_form": _bound(request, "plan_form", lambda: forms.TrainingPlanForm(project=project)),
        "trained": "training-attendance" in present_documents(project),
    }


def acceptance_context(request, project) -> dict:
    user = request.user
    approvals = list(project.acceptance_approvals.select_related("submitted_by"))
    issues = list(project.acceptance_issues.select_related("created_by", "closed_by"))
    tasks = _open_tasks([*approvals, *issues])
    _mark_actionable(user, [*approvals, *issues], tasks)
    for issue in issues:
        issue.close_form = _bound(
            request, f"close_form_{issue.pk}", lambda i=issue: forms.IssueCloseForm(prefix=f"close{i.pk}")
        )
    present = present_documents(project)
    from pmis.catalog.models import DocumentType

    codes = acceptance.required_documents(project)
    names = dict(DocumentType.objects.filter(code__in=codes).values_list("code", "name"))
    return {
        "manage": access(request, project).manage,
        "approvals": approvals,
        "current_approval": approvals[0] if approvals else None,
        "issues": issues,
        "documents": [{"name": names.get(c, c), "present": c in present} for c in codes],
        "size_form": _bound(request, "size_form", lambda: forms.SizeForm(initial={"size": project.size})),
        "submit_form": _bound(request, "submit_form", forms.NoteForm),
        "decision_form": _bound(request, "decision_form", forms.CommentForm),
        "issue_form": _bound(request, "issue_form", forms.IssueForm),
        "AcceptanceApproval": AcceptanceApproval,
        "open_issue_state": AcceptanceIssue.State.OPEN,
    }


def satisfaction_context(request, project) -> dict:
    user = request.user
    surveys = list(project.surveys.select_related("sent_by", "recorded_by"))
    marketing = satisfaction.is_marketing(user)
    waiting = [s for s in surveys if s.state == Survey.State.SENT]
    tasks = _open_tasks([project, *waiting])
    send_steps = [t for t in tasks.get((_content_type(project), project.pk), []) if t.step == satisfaction.SEND_STEP]
    for survey in surveys:
        steps = tasks.get((_content_type(survey), survey.pk), []) if survey.state == Survey.State.SENT else []
        survey.can_record = survey.state == Survey.State.SENT and (
            marketing or any(task_can_act(user, t) for t in steps)
        )
        survey.link = request.build_absolute_uri(satisfaction.survey_link(survey)) if survey.can_record else ""
    return {
        # one survey waits for the customer at a time: no second one is offered meanwhile (a refused
        # form is shown again with what was typed and why)
        "can_send": (not waiting or "send_form" in getattr(request, "delivery_bound", {}))
        and (marketing or any(task_can_act(user, t) for t in send_steps)),
        "send_step": send_steps[0] if send_steps else None,
        "surveys": surveys,
        "accepted": satisfaction.accepted(project),
        "send_form": _bound(request, "send_form", forms.SurveySendForm),
        "record_form": _bound(request, "record_form", forms.SurveyAnswerForm),
        "surveys_url": reverse("delivery:surveys") if selectors.surveys_can_list(user) else "",
    }


def _content_type(record) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(record).pk


TABS = (
    workspace.Tab(slug="meetings", label="会议", order=120, template="delivery/tab_meetings.html",
                  context=meetings_context),
    workspace.Tab(slug="training", label="培训", order=121, template="delivery/tab_training.html",
                  context=training_context),
    workspace.Tab(slug="acceptance", label="验收", order=122, template="delivery/tab_acceptance.html",
                  context=acceptance_context),
    workspace.Tab(slug="satisfaction", label="满意度", order=123, template="delivery/tab_satisfaction.html",
                  context=satisfaction_context),
)  # fmt: skip


SECTIONS = (
    workspace.Section(tab="requirements", template="delivery/section_requirements_review.html",
                      context=requirements_review_context),
)  # fmt: skip


def register_tabs() -> None:
    for tab in TABS:
        workspace.register(tab)
    for section in SECTIONS:
        workspace.add_section(section)
