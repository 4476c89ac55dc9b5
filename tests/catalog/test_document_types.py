"""表单目录 says what each form is for (seeded from the process documents, with the section it
comes from), and an admin can change that text without a re-seed undoing it."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from pmis.catalog.data import DOCUMENT_TYPES
from pmis.catalog.models import DocumentType
from pmis.catalog.services import catalogue_seed

pytestmark = pytest.mark.django_db


def test_the_catalogue_page_says_what_each_form_is_for(client, demo):
    client.force_login(demo["sales"])
    body = client.get(reverse("catalog:document_types")).content.decode()
    assert DocumentType.objects.count() == len(DOCUMENT_TYPES)
    for document_type in DocumentType.objects.all():
        assert document_type.description, document_type.name
        assert document_type.description in body and document_type.source in body
    assert "合同内标准产品不可适配的需求" in body  # 需求清单及跟进表 (000 §3.3.2)


def test_an_admins_text_survives_a_reseed_and_a_blank_one_is_filled(client, demo):
    client.force_login(demo["admin"])
    weekly = DocumentType.objects.get(code="weekly-report")
    url = reverse("admin:catalog_documenttype_change", args=[weekly.pk])
    form = client.get(url).content.decode()
    assert 'name="description"' in form
    response = client.post(
        url,
        {
            "name": weekly.name, "code": weekly.code, "phase": weekly.phase, "source": weekly.source,
            "description": "每周一发给客户与分管领导", "sort_order": weekly.sort_order,
        },
    )  # fmt: skip
    assert response.status_code == 302
    DocumentType.objects.filter(code="problem-report").update(description="")
    catalogue_seed()
    assert DocumentType.objects.get(code="weekly-report").description == "每周一发给客户与分管领导"
    assert DocumentType.objects.get(code="problem-report").description.startswith("客户或售后登记运维问题")


def test_the_migration_fills_an_existing_installations_blank_descriptions(demo):
    DocumentType.objects.update(description="")
    DocumentType.objects.filter(code="weekly-report").update(description="本公司自己的说明")
    migration = importlib.import_module("pmis.catalog.migrations.0002_document_type_purposes_from_the_documents")
    migration.fill_purposes(apps, None)
    assert not DocumentType.objects.filter(description="").exists()
    assert DocumentType.objects.get(code="weekly-report").description == "本公司自己的说明"
