import pytest

from projects import services as project_services
from projects.gates import ACCEPTANCE_DOCUMENTS
from tests.projects.conftest import dispatched, project, upload  # noqa: F401  (shared fixtures)


@pytest.fixture
def accepted(org, project, upload):  # noqa: F811
    """A project in acceptance with its seven documents."""
    pm = org["regional_pm"]
    upload(project, "requirement-confirmation")
    project_services.requirements_confirm(project=project, actor=pm)
    upload(project, "trial-run-confirmation")
    for action in ("start_requirements", "start_implementation", "start_trial_run", "go_live", "start_acceptance"):
        project = project_services.project_transition(project=project, actor=pm, action=action)
    for code in ACCEPTANCE_DOCUMENTS:
        upload(project, code)
    return project
