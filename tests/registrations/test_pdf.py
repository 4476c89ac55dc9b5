"""The 《项目实施登记表》 PDF."""

import io

import pytest
from django.urls import reverse

from registrations.models import State
from registrations.services import registration_decide, registration_submit

pytestmark = pytest.mark.django_db


def _pdf_approval_section(client, r) -> str:
    from pypdf import PdfReader

    response = client.get(reverse("registrations:pdf", args=[r.pk]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).replace(" ", "")
    return text.split("审批记录", 1)[1].split("商务管理部审批", 1)[0]


def test_registration_pdf_lists_only_the_approval_steps_with_their_approvers(client, org, make_registration):
    from pmis.audit.services import audit_record

    r = make_registration(signed=False, paid=False)
    # what registration_save writes when the salesperson creates the draft
    audit_record(subject=r, action="registration.create", label="创建草稿", actor=org["sales"], to_state=State.DRAFT)
    r = registration_submit(registration=r, actor=org["sales"])
    r = registration_decide(registration=r, actor=org["sales_manager"], decision="approve", comment="同意特批")
    r = registration_decide(registration=r, actor=org["special_approver"], decision="return", comment="补充回款计划")
    r = registration_submit(registration=r, actor=org["sales"])
    client.force_login(org["sales"])
    section = _pdf_approval_section(client, r)
    assert "销售主管审批通过" in section and "赵建国" in section and "同意特批" in section
    assert "特批领导审批退回" in section and "杨总" in section and "补充回款计划" in section
    # drafting and (re)submitting are the salesperson's own acts, not approval steps
    assert "创建草稿" not in section and "提交登记" not in section and "重新提交" not in section
    assert org["sales"].display_name not in section


def test_an_unchanged_registration_pdf_is_served_from_the_cache(client, org, make_registration, monkeypatch):
    """The PDF is rendered once per version of the record; a decision makes a new one, and the
    cache never lets someone who may not see the registration have it."""
    from pmis.documents import pdf

    renders = []
    real = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda *a, **k: renders.append(1) or real(*a, **k))
    r = registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])
    client.force_login(org["sales"])
    url = reverse("registrations:pdf", args=[r.pk])
    first = client.get(url).content
    assert client.get(url).content == first and len(renders) == 1
    registration_decide(registration=r, actor=org["sales_manager"], decision="approve", comment="同意特批")
    client.get(url)
    assert len(renders) == 2
    assert "同意特批" in _pdf_approval_section(client, r) and len(renders) == 2
    client.force_login(org["sales2"])
    assert client.get(url).status_code == 404
