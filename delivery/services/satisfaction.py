"""Customer satisfaction (002: 市场部负责项目客户满意度调查). When the acceptance report is approved
a step "发送满意度调查" waits on 市场部; 市场部 sends a short survey — the customer answers through a
signed link (no account; bound to the survey and its project, expiring, good for one answer) — or
records what the customer said by phone. While the survey waits, a step "跟进客户满意度回复" stays in
市场部's inbox until the link's time; the answer closes it and the PM is told the result."""

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from approvals.errors import DomainError
from approvals.selectors import open_tasks_for, task_can_act
from approvals.services import task_open
from dashboards.cache import forget as forget_card
from pmis.audit.services import audit_record
from pmis.notify.services import notify
from pmis.org.selectors import user_role_codes
from pmis.worktime.calendar import add_duration
from pmis.worktime.models import SlaPolicy
from projects import workspace
from projects.models import Project, State

from ..models import AcceptanceApproval, Survey
from .common import close_steps, lock_project, require

MARKETING = "marketing"  # 市场部
SEND_STEP, ANSWER_STEP = "satisfaction.send", "satisfaction.answer"
SEND_POLICY, LINK_POLICY = "satisfaction-send", "satisfaction-link"
SALT = "delivery.survey"
SCORES = ("overall", "quality", "service", "timeliness")
AFTER_ACCEPTANCE = (State.HANDOVER, State.MAINTENANCE, State.CLOSED)
CARD = "satisfaction"  # the averages' card (dashboards.cards.SATISFACTION), counted again after a change


class LinkRefused(DomainError):
    """The link is forged, for another project, expired or already used."""


def accepted(project: Project) -> bool:
    return (
        project.state in AFTER_ACCEPTANCE
        or project.acceptance_approvals.filter(state=AcceptanceApproval.State.APPROVED).exists()
    )


def is_marketing(user) -> bool:
    return user.is_authenticated and MARKETING in user_role_codes(user)


def _holds_step(user, subject, step: str) -> bool:
    """Someone the step was routed to when 市场部 had nobody (the administrator, a proxy)."""
    return any(task_can_act(user, task) for task in open_tasks_for(subject).filter(step=step))


def can_send(user, project: Project) -> bool:
    return is_marketing(user) or _holds_step(user, project, SEND_STEP)


def can_record(user, survey: Survey) -> bool:
    return is_marketing(user) or _holds_step(user, survey, ANSWER_STEP)


def survey_token(survey: Survey) -> str:
    """The same token every time the survey's link is shown (its life is the survey's expires_at,
    not a timestamp in the link), so a link copied yesterday and one copied today are one link."""
    return signing.Signer(salt=SALT).sign_object({"s": survey.pk, "p": survey.project_id}, compress=True)


def _token_payload(token: str) -> dict:
    if token.count(":") == 2:  # payload:timestamp:signature, a link sent before links were made stable
        return signing.loads(token, salt=SALT)
    return signing.Signer(salt=SALT).unsign_object(token)


def survey_link(survey: Survey) -> str:
    return reverse("delivery:survey_answer", args=[survey.project_id, survey_token(survey)])


def _tab(project: Project) -> str:
    return workspace.tab_url(project, "satisfaction")


def survey_step_open(*, project: Project) -> None:
    """Called when the acceptance report is approved: 市场部 is asked to send the survey."""
    if project.surveys.exists() or open_tasks_for(project).filter(step=SEND_STEP).exists():
        return
    task_open(
        subject=project, step=SEND_STEP, step_label="发送满意度调查", title=project.name, link=_tab(project),
        group=MARKETING, policy=SEND_POLICY,
    )  # fmt: skip


@transaction.atomic
def survey_send(*, project: Project, actor, contact: str) -> Survey:
    project = lock_project(project)
    require(can_send(actor, project), "只有市场部可以发出客户满意度调查")
    if not accepted(project):
        raise DomainError("验收报告批准后才能发出客户满意度调查")
    if not contact.strip():
        raise DomainError("请填写客户联系人")
    if project.surveys.filter(state=Survey.State.SENT).exists():
        raise DomainError("已有一份调查等待客户回复")
    policy = SlaPolicy.objects.get(code=LINK_POLICY)
    now = timezone.now()
    survey = Survey.objects.create(
        project=project, sent_by=actor, contact=contact.strip(),
        expires_at=add_duration(now, policy.duration, policy.clock),
    )  # fmt: skip
    close_steps(project, SEND_STEP, actor, "sent")
    task_open(
        subject=survey, step=ANSWER_STEP, step_label="跟进客户满意度回复", title=f"{project.name}（{survey.contact}）",
        link=_tab(project), group=MARKETING, policy=LINK_POLICY,
    )  # fmt: skip
    audit_record(subject=survey, action="survey.send", label=f"发出客户满意度调查（{survey.contact}）", actor=actor)
    forget_card(CARD)  # 待客户回复 moved
    return survey


def survey_from_link(*, project_id: int, token: str) -> Survey:
    """The survey a link opens, or LinkRefused with what the customer should be told."""
    try:
        payload = _token_payload(token)
    except signing.BadSignature as error:
        raise LinkRefused("链接无效，请向我方联系人索取新的调查链接") from error
    if payload.get("p") != project_id:
        raise LinkRefused("链接无效，请向我方联系人索取新的调查链接")
    survey = Survey.objects.select_related("project").filter(pk=payload.get("s"), project_id=project_id).first()
    if survey is None:
        raise LinkRefused("链接无效，请向我方联系人索取新的调查链接")
    if survey.state != Survey.State.SENT:
        raise LinkRefused("该调查已提交，感谢您的反馈。每个链接只能提交一次")
    if survey.expires_at <= timezone.now():
        raise LinkRefused("该调查链接已过期，请向我方联系人索取新的调查链接")
    return survey


def _clean(scores: dict) -> dict:
    clean = {}
    for key in SCORES:
        try:
            value = int(scores.get(key) or 0)
        except (TypeError, ValueError):
            value = 0
        if not 1 <= value <= 5:
            raise DomainError("请为每一项打分（1–5 分）")
        clean[key] = value
    return clean


def _answer(survey: Survey, *, scores: dict, comment: str, channel: str, actor) -> Survey:
    clean = _clean(scores)
    survey.answer(scores=clean, comment=comment.strip(), channel=channel, at=timezone.now(), by=actor)
    survey.save(update_fields=["state", *SCORES, "comment", "channel", "answered_at", "recorded_by"])
    close_steps(survey, ANSWER_STEP, actor, "answered")
    forget_card(CARD)  # the averages moved
    audit_record(subject=survey, action="survey.answer", label=f"客户满意度回复（{survey.get_channel_display()}）",
                 actor=actor, from_state="sent", to_state="answered")  # fmt: skip
    project = survey.project
    said = f"；意见：{survey.comment}" if survey.comment else ""
    notify(
        recipients=[u for u in (project.pm, survey.sent_by) if u is not None and u != actor],
        title=f"客户满意度结果：{project.name} 平均 {survey.average} 分",
        body=(
            f"总体 {survey.overall}、实施质量 {survey.quality}、服务态度 {survey.service}、"
            f"进度及时性 {survey.timeliness}（{survey.get_channel_display()}）{said}"
        ),
        link=_tab(project), subject=project, kind="survey_answered",
    )  # fmt: skip
    return survey


@transaction.atomic
def survey_answer_by_link(*, project_id: int, token: str, scores: dict, comment: str = "") -> Survey:
    survey = survey_from_link(project_id=project_id, token=token)
    survey = Survey.objects.select_for_update(of=("self",)).select_related("project__pm", "sent_by").get(pk=survey.pk)
    if survey.state != Survey.State.SENT:  # the same link pressed twice at once
        raise LinkRefused("该调查已提交，感谢您的反馈。每个链接只能提交一次")
    return _answer(survey, scores=scores, comment=comment, channel=Survey.Channel.LINK, actor=None)


@transaction.atomic
def survey_record(*, survey: Survey, actor, scores: dict, comment: str = "") -> Survey:
    """市场部 records the customer's answer given by phone or in person."""
    survey = Survey.objects.select_for_update(of=("self",)).select_related("project__pm", "sent_by").get(pk=survey.pk)
    require(can_record(actor, survey), "只有市场部可以录入客户的满意度回复")
    if survey.state != Survey.State.SENT:
        raise DomainError("该调查已有回复")
    return _answer(survey, scores=scores, comment=comment, channel=Survey.Channel.PHONE, actor=actor)
