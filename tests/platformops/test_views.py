"""平台运维部's page and a deployment's page: who sees what, the figures, and the decision forms."""

import pytest
from django.urls import reverse

from platformops import services
from tests.projects.conftest import dispatched, project  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def requested(org, project):  # noqa: F811
    return services.deployment_request(project=project, actor=org["regional_pm"], kind="deploy", reason="公司云")


def test_the_special_approver_of_the_region_decides_on_the_page(client, org, requested):
    client.force_login(org["special_approver_south"])  # sees the project (流程审批人员), decides nothing of the north
    assert "decide-form" not in client.get(requested.get_absolute_url()).content.decode()
    client.force_login(org["special_approver"])
    page = client.get(requested.get_absolute_url()).content.decode()
    assert "decide-form" in page and "execute-form" not in page
    url = reverse("platformops:deployment_action", args=[requested.pk, "decide"])
    client.post(url, {"decision": "approve", "comment": "同意"})
    requested.refresh_from_db()
    assert requested.state == "pending_manager"


def test_platform_ops_sees_its_queue_and_figures(client, org, requested):
    d = services.deployment_decide(deployment=requested, actor=org["special_approver"], approve=True)
    services.deployment_decide(deployment=d, actor=org["platform_manager"], approve=True)
    client.force_login(org["platform_ops"])
    response = client.get(reverse("platformops:deployments"))
    assert requested.number in response.content.decode()
    # waiting: the execution step; done this month: the manager's approval
    assert response.context["figures"] == {"waiting": 1, "overdue": 0, "done_month": 1}
    page = client.get(requested.get_absolute_url()).content.decode()
    assert "execute-form" in page


def test_an_outsider_sees_nothing(client, org, requested):
    client.force_login(org["cs_ops"])
    assert requested.number not in client.get(reverse("platformops:deployments")).content.decode()
    assert client.get(requested.get_absolute_url()).status_code == 404
