import pytest
from django.utils import timezone

from delivery.services import acceptance as acceptance_services
from delivery.services import training as training_services
from projects import services as project_services
from projects.gates import ACCEPTANCE_DOCUMENTS
from tests.projects.conftest import confirmed, dispatched, project, upload  # noqa: F401  (shared fixtures)


def train(org, project):  # noqa: F811
    """Hold one training session with a signed sheet: the project may go live."""
    pm = org["regional_pm"]
    plan = training_services.training_plan_create(
        project=project, actor=pm, title="系统操作培训", audience="信息中心", content="签章管理", trainer=pm
    )
    session = training_services.training_session_add(
        plan=plan, actor=pm, starts_at=timezone.now(), location="客户会议室", topic="签章",
        attendees=[{"name": "张三", "organisation": "信息中心"}],
    )  # fmt: skip
    return training_services.training_session_complete(
        session=session, actor=pm, signed_ids=list(session.attendees.values_list("pk", flat=True))
    )


def walk_to_acceptance(org, project, upload, *, size="small"):  # noqa: F811
    """The project from initiation to 验收 with its documents for its size (not yet approved)."""
    pm = org["regional_pm"]
    if not project.requirements_confirmed_at:
        upload(project, "requirement-confirmation")
        project_services.requirements_confirm(project=project, actor=pm)
    upload(project, "trial-run-confirmation")
    for action in ("start_requirements", "start_implementation", "start_trial_run"):
        project = project_services.project_transition(project=project, actor=pm, action=action)
    train(org, project)
    for action in ("go_live", "start_acceptance"):
        project = project_services.project_transition(project=project, actor=pm, action=action)
    project = acceptance_services.project_size_set(project=project, actor=pm, size=size)
    for code in (*ACCEPTANCE_DOCUMENTS, *acceptance_services.required_documents(project)):
        upload(project, code)
    return project


def approve_acceptance(org, project):  # noqa: F811
    approval = acceptance_services.acceptance_submit(project=project, actor=org["regional_pm"])
    approval = acceptance_services.acceptance_decide(approval=approval, actor=org["cm_engineer"], approve=True)
    return acceptance_services.acceptance_decide(approval=approval, actor=org["aftersales"], approve=True)


@pytest.fixture
def in_acceptance(org, project, upload):  # noqa: F811
    return walk_to_acceptance(org, project, upload)
