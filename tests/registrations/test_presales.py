"""001 §3.2.1 / §3.4.1: the 责任售前 uploads the 售前解决方案 to the registration. A named 责任售前
has it waiting in his inbox until it is attached, and submission waits on it; SaaS needs none
(000 §3.1)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from approvals.selectors import inbox_for, open_tasks_for
from pmis.audit.models import AuditEntry
from pmis.catalog.models import DocumentType
from pmis.documents.services import attachment_add
from pmis.notify.models import Notification
from pmis.org.models import User
from registrations.models import Registration
from registrations.services import RegistrationIncomplete, registration_submit
from tests.conftest import PDF
from tests.registrations.test_views import _form_data

pytestmark = pytest.mark.django_db


def _save_draft(client, org, kind="local", **fields):
    client.force_login(org["sales"])
    data = _form_data(action="save", presales=org["presales"].pk, **fields)
    response = client.post(reverse("registrations:create", args=[kind]), data)
    assert response.status_code == 302
    return Registration.objects.get(owner=org["sales"])


def _attach(registration, actor, code="presales-solution"):
    return attachment_add(
        subject=registration,
        doc_type=DocumentType.objects.get(code=code),
        upload=SimpleUploadedFile("售前解决方案.pdf", PDF),
        actor=actor,
    )


def test_naming_a_presales_puts_the_solution_in_his_inbox(client, org):
    draft = _save_draft(client, org)
    (task,) = inbox_for(org["presales"])
    assert task.step == "registration.presales_solution" and task.step_label == "上传售前解决方案"
    assert AuditEntry.objects.filter(object_id=draft.pk, action="registration.presales_named").count() == 1
    assert Notification.objects.filter(recipient=org["presales"], kind="task_opened").count() == 1
    # he opens it from his inbox and finds the upload panel
    client.force_login(org["presales"])
    body = client.get(task.link).content.decode()
    assert "售前解决方案" in body and 'name="file"' in body


def test_the_step_closes_when_the_solution_is_attached_and_the_sales_is_told(client, org):
    draft = _save_draft(client, org)
    _attach(draft, org["presales"], code="requirement-collection")
    assert inbox_for(org["presales"]).count() == 1  # another document does not answer it
    _attach(draft, org["presales"])
    assert not inbox_for(org["presales"]).exists()
    assert not open_tasks_for(draft).exists()
    told = Notification.objects.get(recipient=org["sales"], kind="presales_solution_uploaded")
    assert "售前解决方案" in told.title


def test_saas_needs_no_presales_solution(client, org):
    _save_draft(client, org, kind="saas")
    assert not inbox_for(org["presales"]).exists()


def test_another_presales_named_takes_the_step_over(client, org):
    draft = _save_draft(client, org)
    other = User.objects.create_user(username="presales2", password="x", display_name="钱售前")
    other.groups.add(*org["presales"].groups.all())
    client.force_login(org["sales"])
    data = _form_data(action="save", presales=other.pk)
    assert client.post(reverse("registrations:edit", args=[draft.pk]), data).status_code == 302
    assert not inbox_for(org["presales"]).exists()
    assert [t.step for t in inbox_for(other)] == ["registration.presales_solution"]
    data["presales"] = ""
    client.post(reverse("registrations:edit", args=[draft.pk]), data)
    assert not inbox_for(other).exists()


def test_submission_waits_on_the_named_presales_solution(org, make_registration):
    registration = make_registration(presales=org["presales"])  # has the 需求采集表 only
    with pytest.raises(RegistrationIncomplete, match="等待责任售前"):
        registration_submit(registration=registration, actor=org["sales"])
    _attach(registration, org["presales"])
    assert registration_submit(registration=registration, actor=org["sales"]).number
    # without a named presales the 需求采集表 is enough, as before
    plain = make_registration()
    assert registration_submit(registration=plain, actor=org["sales"]).number


def test_the_presales_picker_offers_presales_only(client, org):
    client.force_login(org["sales"])
    body = client.get(reverse("registrations:create", args=["local"])).content.decode()
    assert reverse("search:pick", args=["presales"]) in body
    assert '<select name="presales"' not in body
