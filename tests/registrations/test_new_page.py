"""The new-registration page: files can be attached before the first save (they are stored with
the draft), and a province outside the chosen region is refused by the server."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pmis.audit.models import AuditEntry
from pmis.documents.models import Attachment
from pmis.org.models import Province, Region
from registrations.models import Registration
from tests.conftest import PDF
from tests.registrations.test_views import _form_data

pytestmark = pytest.mark.django_db


def test_the_new_page_offers_attachments_before_the_first_save(client, org):
    client.force_login(org["sales"])
    body = client.get(reverse("registrations:create", args=["local"])).content.decode()
    assert 'enctype="multipart/form-data"' in body
    assert 'name="attach-presales-solution"' in body and 'form="registration-form"' in body
    assert "先“保存草稿”，即可上传附件" not in body


def test_files_chosen_on_the_new_page_are_stored_with_the_first_save(client, org):
    client.force_login(org["sales"])
    data = _form_data(action="save")
    data["attach-presales-solution"] = SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("registrations:create", args=["local"]), data, follow=True)
    draft = Registration.objects.get(owner=org["sales"])
    assert response.redirect_chain == [(reverse("registrations:edit", args=[draft.pk]), 302)]
    body = response.content.decode()
    assert "草稿已保存，已上传 1 个附件" in body and "方案.pdf" in body
    (attachment,) = Attachment.objects.filter(object_id=draft.pk)
    assert attachment.doc_type.code == "presales-solution" and attachment.uploaded_by == org["sales"]
    assert AuditEntry.objects.filter(action="document.upload", object_id=draft.pk).count() == 1


def test_the_first_submit_counts_the_files_sent_with_it(client, org):
    """本地化 needs 售前解决方案 or 用户需求采集表 to be submitted: sent with the first submit,
    it is no longer named as missing."""
    client.force_login(org["sales"])
    data = _form_data()
    data["attach-requirement-collection"] = SimpleUploadedFile("采集表.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("registrations:create", args=["local"]), data, follow=True)
    body = response.content.decode()
    assert "还不能提交" in body  # other items are still missing
    assert "请上传：" not in body


def test_a_refused_file_saves_nothing_and_keeps_what_was_typed(client, org):
    client.force_login(org["sales"])
    data = _form_data(action="save")
    data["attach-presales-solution"] = SimpleUploadedFile("方案.exe", b"MZ\x90\x00" * 64)
    response = client.post(reverse("registrations:create", args=["local"]), data)
    body = response.content.decode()
    assert response.status_code == 200 and not Registration.objects.exists()
    assert "售前解决方案：" in body and "请重新选择附件" in body
    assert 'value="某某省人民医院"' in body


def test_a_province_outside_the_region_is_refused(client, org):
    client.force_login(org["sales"])
    north = Region.objects.get(code="north")
    elsewhere = Province.objects.exclude(region=north).first()
    data = _form_data(action="save", region=north.pk, province=elsewhere.pk)
    response = client.post(reverse("registrations:create", args=["local"]), data)
    assert response.status_code == 200 and not Registration.objects.exists()
    assert f"省份“{elsewhere}”不属于所选区域“{north}”" in response.content.decode()


def test_province_options_name_their_region(client, org):
    client.force_login(org["sales"])
    body = client.get(reverse("registrations:create", args=["local"])).content.decode()
    assert 'data-follows="region"' in body
    province = Province.objects.first()
    assert f'data-region="{province.region_id}" value="{province.pk}"' in body or (
        f'value="{province.pk}" data-region="{province.region_id}"' in body
    )
