"""000 §3.3.2 / §3.4: the named 研发经理 confirms the technical solution and the workload (agreed
with the 项目总监) before the responsible sales sees the estimate, or sends it back to the PM."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_fsm import TransitionNotAllowed

from approvals.errors import DomainError
from approvals.selectors import inbox_for, open_tasks_for
from pmis.audit.models import AuditEntry
from pmis.notify.models import Notification
from pmis.org.models import User
from projects import services
from projects.models import CustomisationRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def estimated(org, project):
    item = services.requirement_add(
        project=project, actor=org["regional_pm"], title="对接自建流程平台", classification="custom_out_of_contract"
    )
    return services.customisation_estimate(
        request=item.customisation, actor=org["regional_pm"], person_days=8, note="含接口", rd_expert=org["rd_expert"]
    )


def test_the_estimate_waits_on_the_named_rd_expert_not_on_sales(org, estimated):
    assert estimated.state == CustomisationRequest.State.PENDING_RD
    assert [t.step for t in inbox_for(org["rd_expert"])] == ["customisation.rd"]
    assert not inbox_for(org["sales"]).filter(step__startswith="customisation.").exists()


def test_rd_confirms_the_solution_then_sales_confirms_and_the_director_is_told(org, project, estimated):
    before = AuditEntry.objects.count()
    cr = services.customisation_rd_decide(
        request=estimated, actor=org["rd_expert"], confirm=True, solution="通过流程平台开放接口对接"
    )
    assert cr.state == CustomisationRequest.State.PENDING_SALES and cr.solution == "通过流程平台开放接口对接"
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "customisation.rd_confirm" and entry.actor == org["rd_expert"]
    assert not inbox_for(org["rd_expert"]).exists()
    assert [t.step for t in inbox_for(org["sales"])] == ["customisation.confirm"]
    told = Notification.objects.filter(kind="customisation_solution", recipient=org["project_director"])
    assert told.count() == 1 and "通过流程平台开放接口对接" in told.get().body


def test_rd_sends_it_back_with_a_reason_and_the_pm_estimates_again(org, estimated):
    with pytest.raises(DomainError, match="退回时请填写原因"):
        services.customisation_rd_decide(request=estimated, actor=org["rd_expert"], confirm=False, comment=" ")
    cr = services.customisation_rd_decide(
        request=estimated, actor=org["rd_expert"], confirm=False, comment="需要先确认接口文档"
    )
    assert cr.state == CustomisationRequest.State.RD_RETURNED
    revise = inbox_for(org["regional_pm"]).get(step="customisation.revise")
    assert "需要先确认接口文档" in revise.title
    assert revise.outcome == "" and open_tasks_for(cr).count() == 1
    cr = services.customisation_estimate(request=cr, actor=org["regional_pm"], person_days=10, note="补充接口")
    assert cr.state == CustomisationRequest.State.PENDING_RD
    assert [t.step for t in open_tasks_for(cr)] == ["customisation.rd"]


def test_only_the_named_rd_expert_decides_and_only_once(org, estimated):
    other = User.objects.create_user(username="rd2", password="x", display_name="另一研发")
    other.groups.add(*org["rd_expert"].groups.all())
    for user in (org["sales"], org["regional_pm"], other):
        with pytest.raises(PermissionDenied):
            services.customisation_rd_decide(request=estimated, actor=user, confirm=True, solution="方案")
    with pytest.raises(DomainError, match="技术实现方案"):
        services.customisation_rd_decide(request=estimated, actor=org["rd_expert"], confirm=True, solution="")
    services.customisation_rd_decide(request=estimated, actor=org["rd_expert"], confirm=True, solution="方案")
    with pytest.raises((PermissionDenied, TransitionNotAllowed)):
        services.customisation_rd_decide(request=estimated, actor=org["rd_expert"], confirm=True, solution="方案")


def test_none_named_any_rd_expert_may_confirm(org, project):
    item = services.requirement_add(
        project=project, actor=org["regional_pm"], title="报表", classification="custom_out_of_contract"
    )
    cr = services.customisation_estimate(request=item.customisation, actor=org["regional_pm"], person_days=2, note="")
    task = open_tasks_for(cr).get()
    assert task.group.name == "rd_expert" and task.assignee is None
    services.customisation_rd_decide(request=cr, actor=org["rd_expert"], confirm=True, solution="报表模板")


def test_a_non_rd_user_cannot_be_named(org, project):
    item = services.requirement_add(
        project=project, actor=org["regional_pm"], title="报表", classification="custom_out_of_contract"
    )
    with pytest.raises(DomainError, match="不是立项专家"):
        services.customisation_estimate(
            request=item.customisation, actor=org["regional_pm"], person_days=2, note="", rd_expert=org["sales"]
        )


def test_the_rd_expert_acts_from_the_customisation_page(client, org, project, estimated):
    client.force_login(org["rd_expert"])
    page = client.get(estimated.get_absolute_url())
    body = page.content.decode()
    assert page.status_code == 200 and "研发确认技术方案与工作量" in body and "对接自建流程平台" in body
    response = client.post(
        reverse("projects:customisation_rd", args=[project.pk, estimated.pk]),
        {"seen_state": "pending_rd", "decision": "confirm", "solution": "开放接口", "comment": ""},
    )
    assert response.status_code == 302
    estimated.refresh_from_db()
    assert estimated.state == CustomisationRequest.State.PENDING_SALES
    body = client.get(estimated.get_absolute_url()).content.decode()
    assert "待销售确认" in body and "确认方案与工作量" not in body
    # a second press from a stale page says who decided
    again = client.post(
        reverse("projects:customisation_rd", args=[project.pk, estimated.pk]),
        {"seen_state": "pending_rd", "decision": "confirm", "solution": "开放接口"},
        follow=True,
    )
    assert "已由" in again.content.decode()


def test_someone_unrelated_cannot_open_the_page(client, org, estimated):
    outsider = User.objects.create_user(username="outsider", password="x")
    client.force_login(outsider)
    assert client.get(estimated.get_absolute_url()).status_code == 404
