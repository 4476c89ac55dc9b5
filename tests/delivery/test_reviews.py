from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from approvals.errors import DomainError
from approvals.selectors import inbox_for, open_tasks_for
from delivery.models import ActionItem, Review
from delivery.services import reviews
from projects import services as project_services
from projects.gates import gate_missing

pytestmark = pytest.mark.django_db


def _custom_item(org, project):
    return project_services.requirement_add(
        project=project, actor=org["regional_pm"], title="对接 OA 审批流", classification="custom_in_contract"
    )


def test_implementation_waits_on_the_directors_review_of_the_requirement_list(org, confirmed):
    pm, director = org["regional_pm"], org["project_director"]
    project = project_services.project_transition(project=confirmed, actor=pm, action="start_requirements")
    assert gate_missing(project, "start_implementation") == []  # standard products only: nothing to review
    item = _custom_item(org, project)
    assert any("须提交项目总监审核" in m for m in gate_missing(project, "start_implementation"))
    review = reviews.requirements_review_request(project=project, actor=pm, note="含一项合同内定制")
    task = open_tasks_for(review).get()
    assert task in inbox_for(director) and task not in inbox_for(pm)
    with pytest.raises(DomainError, match="等待项目总监审核"):
        project_services.project_transition(project=project, actor=pm, action="start_implementation")
    with pytest.raises(PermissionDenied):
        reviews.requirements_review_decide(review=review, actor=pm, approve=True)
    review = reviews.requirements_review_decide(review=review, actor=director, approve=True, comment="方案可行")
    assert review.state == Review.State.APPROVED and not open_tasks_for(review).exists()
    assert gate_missing(project, "start_implementation") == []
    # a change to the list after the review asks for it again
    project_services.requirement_update(item=item, actor=pm, classification="custom_out_of_contract", status="open")
    assert any("审核后有变更" in m for m in gate_missing(project, "start_implementation"))


def test_a_returned_review_needs_a_comment_and_sends_the_list_back(org, confirmed):
    pm, director = org["regional_pm"], org["project_director"]
    _custom_item(org, confirmed)
    review = reviews.requirements_review_request(project=confirmed, actor=pm)
    with pytest.raises(DomainError, match="意见"):
        reviews.requirements_review_decide(review=review, actor=director, approve=False)
    review = reviews.requirements_review_decide(review=review, actor=director, approve=False, comment="补充工作量")
    assert review.state == Review.State.RETURNED
    assert any("须提交项目总监审核" in m for m in gate_missing(confirmed, "start_implementation"))
    with pytest.raises(DomainError, match="无需再审"):
        reviews.requirements_review_decide(review=review, actor=director, approve=True)


def test_no_review_is_asked_for_a_list_without_custom_requirements(org, confirmed):
    with pytest.raises(DomainError, match="无需项目总监审核"):
        reviews.requirements_review_request(project=confirmed, actor=org["regional_pm"])


def test_a_rejected_trial_run_waits_on_the_executives_who_decide_and_give_tasks(org, confirmed, upload):
    pm, executive = org["regional_pm"], org["executive"]
    project = confirmed
    for action in ("start_requirements", "start_implementation", "start_trial_run"):
        project = project_services.project_transition(project=project, actor=pm, action=action)
    upload(project, "trial-run-analysis")
    project = project_services.project_transition(
        project=project, actor=pm, action="terminate_after_trial", comment="客户认为性能不达标"
    )
    review = Review.objects.get(project=project, kind=Review.Kind.TRIAL_REJECTION)
    task = open_tasks_for(review).get()
    assert task in inbox_for(executive) and review.note == "客户认为性能不达标"
    with pytest.raises(PermissionDenied):
        reviews.trial_rejection_decide(review=review, actor=pm, decision="x", tasks=[])
    due = timezone.localdate() + timedelta(days=5)
    with pytest.raises(DomainError, match="至少下达一项任务"):
        reviews.trial_rejection_decide(review=review, actor=executive, decision="重新评估", tasks=[{"title": " "}])
    review = reviews.trial_rejection_decide(
        review=review, actor=executive, decision="与客户重新商定性能指标",
        tasks=[{"title": "出具性能优化方案", "owner": pm, "due_date": due}],
    )  # fmt: skip
    assert review.state == Review.State.DECIDED and not open_tasks_for(review).exists()
    item = ActionItem.objects.get(review=review)
    assert item.owner == pm and open_tasks_for(item).get() in inbox_for(pm)


def test_the_director_reviews_the_requirement_list_on_the_requirements_tab(client, org, confirmed):
    """000 §3.3.2: the review of the 需求清单及跟进表 sits with the list, on 需求, not on 会议."""
    from django.urls import reverse

    from projects import workspace

    pm, director = org["regional_pm"], org["project_director"]
    _custom_item(org, confirmed)
    requirements, meetings = workspace.tab_url(confirmed, "requirements"), workspace.tab_url(confirmed, "meetings")
    client.force_login(pm)
    page = client.get(requirements).content.decode()
    assert 'id="review-request-form"' in page and "对接 OA 审批流" in page
    assert 'id="review-request-form"' not in client.get(meetings).content.decode()
    sent = client.post(reverse("delivery:review_request", args=[confirmed.pk]), {"note": "含定制"})
    assert sent.status_code == 302 and sent["Location"] == requirements
    review = confirmed.reviews.get()
    assert open_tasks_for(review).get().link == requirements

    client.force_login(director)
    assert 'id="review-decide-form"' not in client.get(meetings).content.decode()
    fragment = client.get(requirements, headers={"HX-Request": "true"}).content.decode()
    assert 'id="review-decide-form"' in fragment
    # a return without a comment shows the 需求 tab again with the refusal
    refused = client.post(reverse("delivery:review_decide", args=[confirmed.pk, review.pk, "return"]),
                          {"seen_state": "pending", "comment": ""})  # fmt: skip
    assert refused.status_code == 200 and "退回须填写意见" in refused.content.decode()
    assert 'id="requirement-table"' in refused.content.decode()
    done = client.post(reverse("delivery:review_decide", args=[confirmed.pk, review.pk, "approve"]),
                       {"seen_state": "pending", "comment": "可行"})  # fmt: skip
    assert done.status_code == 302 and done["Location"] == requirements
    review.refresh_from_db()
    assert review.state == Review.State.APPROVED
