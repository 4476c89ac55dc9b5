"""The delivery tabs' forms post here; each view parses its form, calls one service and goes back
to its tab, or shows the tab again with what was typed and the refusal in Chinese."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from approvals.decisions import decision_view
from approvals.errors import DomainError
from dashboards.cache import filled
from dashboards.cards import SATISFACTION
from pmis.documents.pdf import render_pdf
from pmis.forms import form_error_lines
from pmis.lists import export_response, list_result
from projects import workspace
from projects.selectors import project_can_view, projects_visible

from . import forms, selectors
from .lists import SURVEYS
from .models import (
    AcceptanceApproval,
    AcceptanceIssue,
    ActionItem,
    Meeting,
    Review,
    Survey,
    TrainingPlan,
    TrainingSession,
)
from .services import acceptance, meetings, reviews, satisfaction, training


def _project(user, pk: int):
    project = projects_visible(user).select_related("region", "pm").filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


def _refused(request, project, slug: str, error: str, **bound):
    """The tab again, its refused form bound to what was typed, the reason on top."""
    tab = workspace.get(slug)
    if not tab.visible(request.user, project):
        raise Http404
    messages.error(request, error)
    request.delivery_bound = bound  # the tab's context shows these instead of empty forms
    context = {"p": project, "tabs": workspace.tabs_for(request.user, project), "current_tab": tab}
    context.update(tab.context(request, project))
    if request.headers.get("HX-Request"):
        return render(request, tab.template, context)
    return render(request, "projects/workspace.html", context)


def _done(request, project, slug: str, message: str):
    messages.success(request, message)
    return redirect(workspace.tab_url(project, slug))


def _run(request, project, slug: str, form, name: str, call, message: str):
    """Validate, call the service, and answer: back to the tab, or the tab with the typed form."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except (DomainError, PermissionDenied) as exc:
            return _refused(request, project, slug, str(exc), **{name: form})
        return _done(request, project, slug, message)
    return _refused(request, project, slug, "；".join(form_error_lines(form)), **{name: form})


# -- meetings ------------------------------------------------------------------------------------


@login_required
@require_POST
def meeting_new(request, pk: int):
    project = _project(request.user, pk)
    form = forms.MeetingForm(request.POST)

    def call(data):
        meetings.meeting_create(
            project=project, actor=request.user, kind=data["kind"], held_on=data["held_on"], data=data
        )

    return _run(request, project, "meetings", form, "meeting_form", call, "会议已登记")


@login_required
@require_POST
def meeting_end(request, pk: int, meeting_pk: int):
    project = _project(request.user, pk)
    meeting = get_object_or_404(Meeting, pk=meeting_pk, project=project)
    form = forms.MeetingEndForm(request.POST, prefix=f"end{meeting.pk}")

    def call(data):
        meetings.meeting_end(
            meeting=meeting, actor=request.user, minutes=data["minutes"], risks_agreed=data["risks_agreed"]
        )

    return _run(request, project, "meetings", form, f"end_form_{meeting.pk}", call, "会议已结束，纪要已保存")


@login_required
@require_POST
def action_new(request, pk: int, meeting_pk: int):
    project = _project(request.user, pk)
    meeting = get_object_or_404(Meeting, pk=meeting_pk, project=project)
    form = forms.ActionItemForm(request.POST, project=project, prefix=f"act{meeting.pk}")

    def call(data):
        meetings.meeting_action_add(
            meeting=meeting, actor=request.user, title=data["title"], owner=data["owner"], due_date=data["due_date"]
        )

    return _run(
        request, project, "meetings", form, f"action_form_{meeting.pk}", call, "行动项已下达，已进入负责人的待办"
    )


@login_required
@require_POST
def action_done(request, pk: int, item_pk: int):
    project = _project(request.user, pk)
    item = get_object_or_404(ActionItem, pk=item_pk, project=project)
    form = forms.IssueCloseForm(request.POST, prefix=f"done{item.pk}")

    def call(data):
        meetings.action_item_finish(item=item, actor=request.user, result=data["resolution"])

    return _run(request, project, "meetings", form, f"done_form_{item.pk}", call, "行动项已完成")


# -- training ------------------------------------------------------------------------------------


@login_required
@require_POST
def training_plan_new(request, pk: int):
    project = _project(request.user, pk)
    form = forms.TrainingPlanForm(request.POST, project=project)

    def call(data):
        training.training_plan_create(
            project=project, actor=request.user, title=data["title"], audience=data["audience"],
            content=data["content"], trainer=data["trainer"],
        )  # fmt: skip

    return _run(request, project, "training", form, "plan_form", call, "客户培训计划已制定")


@login_required
@require_POST
def training_session_new(request, pk: int, plan_pk: int):
    project = _project(request.user, pk)
    plan = get_object_or_404(TrainingPlan, pk=plan_pk, project=project)
    form = forms.SessionForm(request.POST, prefix=f"s{plan.pk}")

    def call(data):
        training.training_session_add(
            plan=plan, actor=request.user, starts_at=data["starts_at"], location=data["location"],
            topic=data["topic"], attendees=form.attendee_rows(),
        )  # fmt: skip

    return _run(request, project, "training", form, f"session_form_{plan.pk}", call, "培训场次已安排")


@login_required
@require_POST
def training_notice(request, pk: int, plan_pk: int):
    project = _project(request.user, pk)
    plan = get_object_or_404(TrainingPlan, pk=plan_pk, project=project)
    form = forms.NoticeForm(request.POST, prefix=f"n{plan.pk}")

    def call(data):
        training.training_notice_issue(plan=plan, actor=request.user, notice=data["notice"])

    return _run(request, project, "training", form, f"notice_form_{plan.pk}", call, "培训通知单已发出")


@login_required
@require_POST
def training_session_complete(request, pk: int, session_pk: int):
    project = _project(request.user, pk)
    session = get_object_or_404(TrainingSession, pk=session_pk, plan__project=project)
    signed = [int(v) for v in request.POST.getlist("signed") if v.isdigit()]
    try:
        training.training_session_complete(session=session, actor=request.user, signed_ids=signed)
    except (DomainError, PermissionDenied) as exc:
        return _refused(request, project, "training", str(exc))
    return _done(request, project, "training", "签到已登记，本场培训完成")


@login_required
def sign_in_sheet(request, pk: int, session_pk: int):
    """客户培训签到表, printed for the attendees to sign (or with the signatures recorded)."""
    project = _project(request.user, pk)
    session = get_object_or_404(
        TrainingSession.objects.select_related("plan__trainer"), pk=session_pk, plan__project=project
    )
    content = render_pdf(
        "delivery/sign_in_sheet.html", {"p": project, "session": session, "attendees": list(session.attendees.all())}
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f"inline; filename*=UTF-8''{_quote(f'客户培训签到表-{project.code}-{session.pk}.pdf')}"
    )
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


# -- acceptance ----------------------------------------------------------------------------------


@login_required
@require_POST
def size_set(request, pk: int):
    project = _project(request.user, pk)
    form = forms.SizeForm(request.POST)

    def call(data):
        acceptance.project_size_set(project=project, actor=request.user, size=data["size"])

    return _run(request, project, "acceptance", form, "size_form", call, "项目规模已设定")


@login_required
@require_POST
def acceptance_submit(request, pk: int):
    project = _project(request.user, pk)
    form = forms.NoteForm(request.POST)

    def call(data):
        acceptance.acceptance_submit(project=project, actor=request.user, note=data["note"])

    return _run(request, project, "acceptance", form, "submit_form", call, "验收报告已提交 CM 工程师审批")


def _approval_url(approval) -> str:
    return workspace.tab_url(approval.project, "acceptance")


def _approval_can_view(user, approval) -> bool:
    return project_can_view(user, approval.project)


@login_required
@require_POST
@decision_view(
    AcceptanceApproval,
    can_view=_approval_can_view,
    fallback="approvals:inbox",
    pk_kwarg="approval_pk",
    url=_approval_url,
)
def acceptance_decide(request, pk: int, approval_pk: int, action: str):
    project = _project(request.user, pk)
    approval = get_object_or_404(AcceptanceApproval, pk=approval_pk, project=project)
    if action not in ("approve", "return"):
        raise Http404
    form = forms.CommentForm(request.POST)

    def call(data):
        acceptance.acceptance_decide(
            approval=approval, actor=request.user, approve=action == "approve", comment=data["comment"]
        )

    return _run(request, project, "acceptance", form, "decision_form", call, "已审批")


@login_required
@require_POST
def issue_new(request, pk: int):
    project = _project(request.user, pk)
    form = forms.IssueForm(request.POST)

    def call(data):
        acceptance.acceptance_issue_add(
            project=project, actor=request.user, title=data["title"], description=data["description"]
        )

    return _run(request, project, "acceptance", form, "issue_form", call, "遗留问题已登记")


@login_required
@require_POST
def issue_close(request, pk: int, issue_pk: int):
    project = _project(request.user, pk)
    issue = get_object_or_404(AcceptanceIssue, pk=issue_pk, project=project)
    form = forms.IssueCloseForm(request.POST, prefix=f"close{issue.pk}")

    def call(data):
        acceptance.acceptance_issue_close(issue=issue, actor=request.user, resolution=data["resolution"])

    return _run(request, project, "acceptance", form, f"close_form_{issue.pk}", call, "遗留问题已关闭")


# -- satisfaction --------------------------------------------------------------------------------


@login_required
@require_POST
def survey_send(request, pk: int):
    project = _project(request.user, pk)
    form = forms.SurveySendForm(request.POST)

    def call(data):
        satisfaction.survey_send(project=project, actor=request.user, contact=data["contact"])

    return _run(request, project, "satisfaction", form, "send_form", call, "调查已生成，请将链接发给客户")


@login_required
@require_POST
def survey_record(request, pk: int, survey_pk: int):
    project = _project(request.user, pk)
    survey = get_object_or_404(Survey, pk=survey_pk, project=project)
    form = forms.SurveyAnswerForm(request.POST)

    def call(data):
        satisfaction.survey_record(survey=survey, actor=request.user, scores=data, comment=data["comment"])

    return _run(request, project, "satisfaction", form, "record_form", call, "客户的满意度回复已录入")


@login_required
def surveys(request):
    """全部满意度调查: 市场部's list of surveys, the projects waiting for one, and the averages by
    region and PM; the director sees the same."""
    if not selectors.surveys_can_list(request.user):
        raise PermissionDenied("只有市场部与项目总监可以查看全部满意度调查")
    result = list_result(request, selectors.surveys_visible(request.user), SURVEYS)
    if result.exporting:
        return export_response(result)
    context = {
        "list": result,
        "page": result.page(),
        "to_send": selectors.surveys_to_send(request.user),
        # the 工作台's card, kept as it is there: counted at most one 看板数据刷新周期 ago
        "card": filled([SATISFACTION], request.user)[0],
    }
    return render(request, "delivery/surveys.html", context, status=result.status)


def survey_answer(request, project_pk: int, token: str):
    """The customer's page: no account, the signed link is the key, good for one answer."""
    form = forms.SurveyAnswerForm(request.POST or None)
    context = {"form": form}
    try:
        survey = satisfaction.survey_from_link(project_id=project_pk, token=token)
    except satisfaction.LinkRefused as exc:
        return render(request, "delivery/survey_public.html", {"refused": str(exc)})
    context["survey"] = survey
    if request.method == "POST":
        if form.is_valid():
            try:
                satisfaction.survey_answer_by_link(
                    project_id=project_pk, token=token, scores=form.cleaned_data, comment=form.cleaned_data["comment"]
                )
            except DomainError as exc:
                context["error"] = str(exc)
            else:
                return render(request, "delivery/survey_public.html", {"thanks": True, "survey": survey})
        else:
            context["error"] = "请为每一项打分（1–5 分）"
    return render(request, "delivery/survey_public.html", context)


# -- reviews -------------------------------------------------------------------------------------


@login_required
@require_POST
def review_request(request, pk: int):
    project = _project(request.user, pk)
    form = forms.NoteForm(request.POST)

    def call(data):
        reviews.requirements_review_request(project=project, actor=request.user, note=data["note"])

    return _run(request, project, "requirements", form, "review_form", call, "需求清单及跟进表已提交项目总监审核")


def _review_tab(review) -> str:
    """The requirement-list review is on 需求, the executives' decision on 会议."""
    return "meetings" if review.kind == Review.Kind.TRIAL_REJECTION else "requirements"


def _review_url(review) -> str:
    return workspace.tab_url(review.project, _review_tab(review))


def _review_can_view(user, review) -> bool:
    return project_can_view(user, review.project)


@login_required
@require_POST
@decision_view(Review, can_view=_review_can_view, fallback="approvals:inbox", pk_kwarg="review_pk", url=_review_url)
def review_decide(request, pk: int, review_pk: int, action: str):
    project = _project(request.user, pk)
    review = get_object_or_404(Review, pk=review_pk, project=project)
    if review.kind == Review.Kind.TRIAL_REJECTION:
        form = forms.TrialDecisionForm(request.POST, project=project)

        def call(data):
            reviews.trial_rejection_decide(
                review=review, actor=request.user, decision=data["decision"], tasks=form.tasks()
            )

        return _run(request, project, "meetings", form, "trial_form", call, "决定已作出，任务已下达")
    if action not in ("approve", "return"):
        raise Http404
    form = forms.CommentForm(request.POST)

    def call(data):
        reviews.requirements_review_decide(
            review=review, actor=request.user, approve=action == "approve", comment=data["comment"]
        )

    return _run(request, project, "requirements", form, "review_decision_form", call, "已审核")
