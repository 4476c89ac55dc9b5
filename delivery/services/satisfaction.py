"""Customer satisfaction (002: 客户满意度调查): after acceptance the PM sends a short survey; the
customer answers through a signed link (no account; bound to the survey and its project, expiring,
good for one answer), or the PM records what the customer said."""

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from approvals.errors import DomainError
from pmis.audit.services import audit_record
from pmis.worktime.calendar import add_duration
from pmis.worktime.models import SlaPolicy
from projects.models import Project, State
from projects.services import can_manage

from ..models import AcceptanceApproval, Survey
from .common import lock_project, require

LINK_POLICY = "satisfaction-link"
SALT = "delivery.survey"
SCORES = ("overall", "quality", "service", "timeliness")
AFTER_ACCEPTANCE = (State.HANDOVER, State.MAINTENANCE, State.CLOSED)


class LinkRefused(DomainError):
    """The link is forged, for another project, expired or already used."""


def accepted(project: Project) -> bool:
    return (
        project.state in AFTER_ACCEPTANCE
        or project.acceptance_approvals.filter(state=AcceptanceApproval.State.APPROVED).exists()
    )


def survey_token(survey: Survey) -> str:
    return signing.dumps({"s": survey.pk, "p": survey.project_id}, salt=SALT, compress=True)


def survey_link(survey: Survey) -> str:
    return reverse("delivery:survey_answer", args=[survey.project_id, survey_token(survey)])


@transaction.atomic
def survey_send(*, project: Project, actor, contact: str) -> Survey:
    project = lock_project(project)
    require(can_manage(actor, project), "只有项目经理可以发出满意度调查")
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
    audit_record(subject=survey, action="survey.send", label=f"发出客户满意度调查（{survey.contact}）", actor=actor)
    return survey


def survey_from_link(*, project_id: int, token: str) -> Survey:
    """The survey a link opens, or LinkRefused with what the customer should be told."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature as error:
        raise LinkRefused("链接无效，请向项目经理索取新的调查链接") from error
    if payload.get("p") != project_id:
        raise LinkRefused("链接无效，请向项目经理索取新的调查链接")
    survey = Survey.objects.select_related("project").filter(pk=payload.get("s"), project_id=project_id).first()
    if survey is None:
        raise LinkRefused("链接无效，请向项目经理索取新的调查链接")
    if survey.state != Survey.State.SENT:
        raise LinkRefused("该调查已提交，感谢您的反馈。每个链接只能提交一次")
    if survey.expires_at <= timezone.now():
        raise LinkRefused("该调查链接已过期，请向项目经理索取新的调查链接")
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
    survey.answer(scores=clean, comment=comment.strip(), channel=channel, at=timezone.now())
    survey.save(update_fields=["state", *SCORES, "comment", "channel", "answered_at"])
    audit_record(subject=survey, action="survey.answer", label=f"客户满意度回复（{survey.get_channel_display()}）",
                 actor=actor, from_state="sent", to_state="answered")  # fmt: skip
    return survey


@transaction.atomic
def survey_answer_by_link(*, project_id: int, token: str, scores: dict, comment: str = "") -> Survey:
    survey = survey_from_link(project_id=project_id, token=token)
    survey = Survey.objects.select_for_update(of=("self",)).get(pk=survey.pk)
    if survey.state != Survey.State.SENT:  # the same link pressed twice at once
        raise LinkRefused("该调查已提交，感谢您的反馈。每个链接只能提交一次")
    return _answer(survey, scores=scores, comment=comment, channel=Survey.Channel.LINK, actor=None)


@transaction.atomic
def survey_record(*, survey: Survey, actor, scores: dict, comment: str = "") -> Survey:
    """The PM records the customer's answer given by phone or in person."""
    survey = Survey.objects.select_for_update(of=("self",)).select_related("project").get(pk=survey.pk)
    require(can_manage(actor, survey.project), "只有项目经理可以录入客户的满意度回复")
    if survey.state != Survey.State.SENT:
        raise DomainError("该调查已有回复")
    return _answer(survey, scores=scores, comment=comment, channel=Survey.Channel.PM, actor=actor)
