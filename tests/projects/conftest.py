import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pmis.catalog.models import DocumentType
from pmis.documents.services import attachment_add
from projects.services import project_initiate
from registrations.models import Kind
from registrations.services import registration_decide, registration_submit
from tests.conftest import CHECKED, PDF


@pytest.fixture
def dispatched(org, make_registration):
    """Dispatch a registration of the given kind through its chain."""

    def make(kind=Kind.LOCAL, **extra):
        owner = extra.pop("owner", org["sales"])
        r = registration_submit(registration=make_registration(kind, owner=owner, **extra), actor=owner)
        if r.state == "pending_sales_manager":
            manager = (
                org["sales_manager"] if owner.department_id == org["sales"].department_id else org["sales_manager2"]
            )
            r = registration_decide(registration=r, actor=manager, decision="approve")
        return registration_decide(registration=r, actor=org["business_approver"], decision="approve", review=CHECKED)

    return make


@pytest.fixture
def project(org, dispatched):
    r = dispatched()
    return project_initiate(
        registration=r,
        actor=org["project_director"],
        name="某某市轨道交通集团有限公司电子签章项目",
        overview="概述",
        svn_path="/svn/projects/北方/2026/x",
        feasibility="产品可满足",
        risk="风险可控",
        pm=org["regional_pm"],
        implementers=[org["implementer"]],
        meeting={"held_on": "2026-11-20", "participants": "王晓明、陈立", "topics": ["background"], "minutes": ""},
    )


@pytest.fixture
def upload(org):
    def attach(subject, code, name="文件.pdf", actor=None, content=PDF):
        return attachment_add(
            subject=subject,
            doc_type=DocumentType.objects.get(code=code),
            upload=SimpleUploadedFile(name, content),
            actor=actor or org["admin"],
            check_permission=False,
        )

    return attach


@pytest.fixture
def confirmed(org, project, upload):
    """The project with its 需求确认单 confirmed: every kind of delivery work may start."""
    from projects.services import requirements_confirm

    upload(project, "requirement-confirmation")
    return requirements_confirm(project=project, actor=org["regional_pm"])
