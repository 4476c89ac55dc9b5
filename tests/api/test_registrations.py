"""Registrations through the API: the page's form rules, the same services, audit rows marked as
through the API with the token's name."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pmis.audit.models import AuditEntry
from pmis.org.models import Province, Region
from registrations.models import Registration, State
from tests.conftest import PDF

pytestmark = pytest.mark.django_db


def _draft(api, **extra):
    north = Region.objects.get(code="north")
    body = {
        "kind": "saas",
        "customer_name": "某某市公积金管理中心",
        "customer_short_name": "某某公积金",
        "region": north.pk,
        "province": Province.objects.get(name="北京").pk,
        "stakeholders": [{"name": "李工", "phone": "13800000000", "role": "信息科"}],
        **extra,
    }
    return api.post("/api/v1/registrations/", body, format="json")


def test_sales_creates_a_draft_and_the_history_says_it_came_through_the_api(api_as, org):
    response = _draft(api_as("sales", name="CRM 合同同步"))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["state"] == "draft" and data["state_label"] == "草稿"
    registration = Registration.objects.get(pk=data["id"])
    assert registration.owner == org["sales"]
    assert registration.stakeholders.get().name == "李工"
    entry = AuditEntry.objects.get(action="registration.create", object_id=registration.pk)
    assert entry.via_text == "经 API（CRM 合同同步）"
    assert data["history"][0]["via"] == "经 API（CRM 合同同步）"
    assert data["missing"], "a fresh draft lists what submit still needs"


def test_form_rules_come_back_by_field_in_chinese(api_as):
    south_province = Province.objects.filter(region__code="south").first()
    response = _draft(api_as("sales"), province=south_province.pk, seal_count=-1)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "不属于所选区域" in body["fields"]["province"][0]
    assert "seal_count" in body["fields"]
    assert not Registration.objects.exists()


def test_only_sales_create_registrations(api_as):
    response = _draft(api_as("business_approver"))
    assert response.status_code == 403
    assert response.json()["message"] == "只有销售可以提交实施登记"


def test_submit_names_what_is_missing_then_goes_through(api_as, make_registration, org):
    api = api_as("sales")
    created = _draft(api).json()
    refused = api.post(f"/api/v1/registrations/{created['id']}/submit/")
    assert refused.status_code == 400
    assert refused.json()["message"].startswith("提交前请补全")
    registration = make_registration()
    submitted = api.post(f"/api/v1/registrations/{registration.pk}/submit/")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["state"] == State.PENDING_BUSINESS
    assert submitted.json()["number"]
    assert submitted.json()["history"][-1]["via"].startswith("经 API（")


def test_attachment_upload_uses_the_page_checks(api_as):
    api = api_as("sales")
    created = _draft(api).json()
    url = f"/api/v1/registrations/{created['id']}/attachments/"
    ok = api.post(
        url, {"doc_type": "requirement-collection", "file": SimpleUploadedFile("采集表.pdf", PDF)}, format="multipart"
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["doc_type"] == "requirement-collection"
    bad = api.post(
        url,
        {"doc_type": "requirement-collection", "file": SimpleUploadedFile("x.exe", b"MZ\x90\x00")},
        format="multipart",
    )
    assert bad.status_code in (400, 422)
    assert bad.json()["message"] or bad.json()["fields"]


def test_another_teams_registration_is_not_found(api_as, make_registration):
    registration = make_registration()
    response = api_as("sales2").get(f"/api/v1/registrations/{registration.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert api_as("sales").get(f"/api/v1/registrations/{registration.pk}/").status_code == 200


def test_list_filters_by_state_and_keyword_and_pages_by_cursor(api_as, make_registration):
    for _ in range(3):
        make_registration()
    api = api_as("sales")
    page = api.get("/api/v1/registrations/?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"]
    rest = api.get(page["next"]).json()
    assert len(rest["results"]) == 1
    assert api.get("/api/v1/registrations/?state=draft&q=某某地铁").json()["results"]
    assert api.get("/api/v1/registrations/?q=不存在的客户").json()["results"] == []
    assert api.get("/api/v1/registrations/?state=nonsense").status_code == 400
