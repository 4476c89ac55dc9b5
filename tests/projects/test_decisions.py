"""Product requests and customisation requests: pressing a step someone else (or oneself, a
double click) has just decided says who decided it and when, never a refusal without a name or a
server error."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from pmis.catalog.models import Product
from pmis.org.models import User
from projects import services
from projects.models import RequirementItem

pytestmark = pytest.mark.django_db


def _items():
    return [{"product": Product.objects.get(name="电子印章认证"), "version": "V5.2", "licence_count": 10}]


def test_second_business_approver_of_a_product_request_reads_who_decided(client, org, confirmed):
    project = confirmed
    colleague = User.objects.create_user(username="business_approver2", password="x", display_name="赵审批")
    colleague.groups.add(Group.objects.get(name="business_approver"))
    pr = services.product_request_create(project=project, actor=org["implementer"], items=_items())
    services.product_request_decide(request=pr, actor=org["regional_pm"], approve=True)
    client.force_login(colleague)
    page = client.get(pr.get_absolute_url()).content.decode()
    assert 'name="seen_state" value="pending_business"' in page
    services.product_request_decide(request=pr, actor=org["business_approver"], approve=True)

    url = reverse("projects:product_request_action", args=[project.pk, pr.pk, "approve"])
    response = client.post(url, {"seen_state": "pending_business", "comment": ""})
    assert response.status_code == 302 and response["Location"] == pr.get_absolute_url()
    body = client.get(pr.get_absolute_url()).content.decode()
    assert "该环节已由 周敏 于" in body and "商务审核通过" in body


def test_a_double_click_on_an_estimate_is_answered_not_a_server_error(client, org, project):
    item = services.requirement_add(
        project=project, actor=org["regional_pm"], title="对接自建流程平台",
        classification=RequirementItem.Classification.CUSTOM_OUT_OF_CONTRACT,
    )  # fmt: skip
    cr = item.customisation
    client.force_login(org["regional_pm"])
    url = reverse("projects:customisation_action", args=[project.pk, cr.pk, "estimate"])
    data = {"seen_state": "estimating", "person_days": "5", "note": "接口开发"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    requirements_tab = reverse("projects:tab", args=[project.pk, "requirements"])
    assert response.status_code == 302 and response["Location"] == requirements_tab
    body = client.get(project.get_absolute_url()).content.decode()
    assert f"该环节已由 {org['regional_pm']} 于" in body and "定制工作量评估" in body
