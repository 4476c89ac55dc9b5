from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from approvals.errors import DomainError
from delivery.models import Survey
from delivery.services import satisfaction
from tests.delivery.conftest import approve_acceptance

pytestmark = pytest.mark.django_db
SCORES = {"overall": "5", "quality": "4", "service": "5", "timeliness": "3"}


@pytest.fixture
def survey(org, in_acceptance):
    approve_acceptance(org, in_acceptance)
    return satisfaction.survey_send(project=in_acceptance, actor=org["regional_pm"], contact="张主任")


def test_no_survey_before_the_acceptance_report_is_approved(org, in_acceptance):
    with pytest.raises(DomainError, match="验收报告批准后"):
        satisfaction.survey_send(project=in_acceptance, actor=org["regional_pm"], contact="张主任")


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


def test_the_pm_records_the_customers_answer_and_no_one_else_may(org, survey):
    with pytest.raises(PermissionDenied):
        satisfaction.survey_record(survey=survey, actor=org["sales2"], scores=SCORES)
    survey = satisfaction.survey_record(survey=survey, actor=org["regional_pm"], scores=SCORES, comment="电话回访")
    assert survey.channel == Survey.Channel.PM and survey.state == Survey.State.ANSWERED
    with pytest.raises(DomainError, match="已有回复"):
        satisfaction.survey_record(survey=survey, actor=org["regional_pm"], scores=SCORES)
