from datetime import date

import pytest

from projects.services import project_initiate
from registrations.models import Kind
from registrations.services import registration_decide, registration_submit
from tests.conftest import CHECKED

MON = date(2027, 3, 1)  # a Monday


@pytest.fixture
def project(org, make_registration):
    r = registration_submit(registration=make_registration(Kind.LOCAL), actor=org["sales"])
    if r.state == "pending_sales_manager":
        r = registration_decide(registration=r, actor=org["sales_manager"], decision="approve")
    r = registration_decide(registration=r, actor=org["business_approver"], decision="approve", review=CHECKED)
    return project_initiate(
        registration=r,
        actor=org["project_director"],
        name="某某地铁电子签章项目",
        overview="概述",
        svn_path="/svn/projects/北方/2027/x",
        feasibility="产品可满足",
        risk="风险可控",
        pm=org["regional_pm"],
        implementers=[org["implementer"]],
    )


@pytest.fixture
def pm(org):
    return org["regional_pm"]


@pytest.fixture
def upload(org):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pmis.catalog.models import DocumentType
    from pmis.documents.services import attachment_add
    from tests.conftest import PDF

    def attach(subject, code, name="文件.pdf"):
        return attachment_add(
            subject=subject,
            doc_type=DocumentType.objects.get(code=code),
            upload=SimpleUploadedFile(name, PDF),
            actor=org["admin"],
            check_permission=False,
        )

    return attach
