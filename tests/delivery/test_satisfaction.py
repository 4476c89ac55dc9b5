from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from approvals.errors import DomainError
from approvals.models import Task
from approvals.selectors import inbox_for
from delivery.models import Survey
from delivery.services import satisfaction
from pmis.notify.models import Notification
from tests.delivery.conftest import approve_acceptance

pytestmark = pytest.mark.django_db
SCORES = {"overall": "5", "quality": "4", "service": "5", "timeliness": "3"}


@pytest.fixture
def survey(org, in_acceptance):
    approve_acceptance(org, in_acceptance)
    return satisfaction.survey_send(project=in_acceptance, actor=org["marketing"], contact="张主任")


def test_no_survey_before_the_acceptance_report_is_approved(org, in_acceptance):
    with pytest.raises(DomainError, match="验收报告批准后"):
        satisfaction.survey_send(project=in_acceptance, actor=org["marketing"], contact="张主任")


def test_after_acceptance_the_survey_waits_on_marketing_not_the_pm(org, in_acceptance):
    """002: 市场部负责项目客户满意度调查."""
    pm, marketing = org["regional_pm"], org["marketing"]
    assert not inbox_for(marketing).filter(step=satisfaction.SEND_STEP).exists()
    approve_acceptance(org, in_acceptance)
    step = inbox_for(marketing).get(step=satisfaction.SEND_STEP)
    assert step.title == in_acceptance.name and step.due_at is not None
    assert not inbox_for(pm).filter(step=satisfaction.SEND_STEP).exists()
    with pytest.raises(PermissionDenied, match="市场部"):
        satisfaction.survey_send(project=in_acceptance, actor=pm, contact="张主任")

    survey = satisfaction.survey_send(project=in_acceptance, actor=marketing, contact="张主任")
    step.refresh_from_db()
    assert step.state == Task.State.DONE and step.outcome == "sent"
    # while the customer has the link, following up the answer stays in 市场部's inbox until it expires
    follow = inbox_for(marketing).get(step=satisfaction.ANSWER_STEP)
    assert follow.object_id == survey.pk and abs(follow.due_at - survey.expires_at) < timedelta(minutes=1)


def test_the_link_answer_closes_the_follow_up_and_tells_the_pm_the_result(client, org, survey):
    client.post(satisfaction.survey_link(survey), {**SCORES, "comment": "实施很专业"})
    assert not inbox_for(org["marketing"]).filter(step=satisfaction.ANSWER_STEP).exists()
    told = Notification.objects.get(recipient=org["regional_pm"], kind="survey_answered")
    assert "4.25" in told.title and "实施很专业" in told.body
    assert Notification.objects.filter(recipient=org["marketing"], kind="survey_answered").exists()


def test_the_link_works_once_without_an_account(client, survey):
    url = satisfaction.survey_link(survey)
    page = client.get(url)
    assert page.status_code == 200 and survey.project.name in page.content.decode()
    response = client.post(url, {**SCORES, "comment": "实施很专业"})
    assert response.status_code == 200 and "感谢" in response.content.decode()
    survey.refresh_from_db()
    assert survey.state == Survey.State.ANSWERED and survey.channel == Survey.Channel.LINK
    assert (survey.overall, survey.timeliness, survey.average) == (5, 3, 4.25)
    again = client.post(url, {**SCORES, "overall": "1"})
    assert "只能提交一次" in again.content.decode()
    survey.refresh_from_db()
    assert survey.overall == 5
    with pytest.raises(satisfaction.LinkRefused, match="只能提交一次"):
        satisfaction.survey_answer_by_link(
            project_id=survey.project_id, token=satisfaction.survey_token(survey), scores=SCORES
        )


def test_the_link_works_only_for_its_project_and_not_when_tampered_or_expired(client, survey):
    token = satisfaction.survey_token(survey)
    with pytest.raises(satisfaction.LinkRefused, match="链接无效"):
        satisfaction.survey_from_link(project_id=survey.project_id + 1, token=token)
    with pytest.raises(satisfaction.LinkRefused, match="链接无效"):
        satisfaction.survey_from_link(project_id=survey.project_id, token=token[:-2] + "xx")
    other_url = reverse("delivery:survey_answer", args=[survey.project_id + 1, token])
    assert "链接无效" in client.post(other_url, SCORES).content.decode()
    Survey.objects.filter(pk=survey.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert "已过期" in client.post(satisfaction.survey_link(survey), SCORES).content.decode()
    survey.refresh_from_db()
    assert survey.state == Survey.State.SENT


def test_every_score_is_required_between_1_and_5(survey):
    token = satisfaction.survey_token(survey)
    with pytest.raises(DomainError, match="1–5"):
        satisfaction.survey_answer_by_link(project_id=survey.project_id, token=token, scores={**SCORES, "quality": "6"})
    survey.refresh_from_db()
    assert survey.state == Survey.State.SENT


def test_marketing_records_the_answer_taken_by_phone_and_no_one_else_may(org, survey):
    for other in ("sales2", "regional_pm"):
        with pytest.raises(PermissionDenied, match="市场部"):
            satisfaction.survey_record(survey=survey, actor=org[other], scores=SCORES)
    marketing = org["marketing"]
    survey = satisfaction.survey_record(survey=survey, actor=marketing, scores=SCORES, comment="电话回访")
    assert survey.channel == Survey.Channel.PHONE and survey.state == Survey.State.ANSWERED
    assert survey.recorded_by == marketing
    assert not inbox_for(marketing).filter(step=satisfaction.ANSWER_STEP).exists()
    told = Notification.objects.get(recipient=org["regional_pm"], kind="survey_answered")
    assert "4.25" in told.title and "电话回访" in told.body
    with pytest.raises(DomainError, match="已有回复"):
        satisfaction.survey_record(survey=survey, actor=marketing, scores=SCORES)


def test_the_link_shown_tomorrow_is_the_link_copied_today(client, survey, time_machine):
    today = satisfaction.survey_link(survey)
    time_machine.move_to(timezone.now() + timedelta(days=1))
    assert satisfaction.survey_link(survey) == today
    assert survey.project.name in client.get(today).content.decode()


def test_a_link_sent_before_links_were_stable_still_opens(client, survey):
    from django.core import signing

    old = signing.dumps({"s": survey.pk, "p": survey.project_id}, salt=satisfaction.SALT, compress=True)
    assert satisfaction.survey_from_link(project_id=survey.project_id, token=old) == survey
