import pytest

from tests.projects.conftest import confirmed, dispatched, project, upload  # noqa: F401  (shared fixtures)
from tests.walk import approve_acceptance, hold_training, to_acceptance  # noqa: F401


def walk_to_acceptance(org, project, upload, *, size="small"):  # noqa: F811
    """The project from initiation to 验收 with its documents for its size (not yet approved)."""
    from projects import services as project_services

    if not project.requirements_confirmed_at:
        upload(project, "requirement-confirmation")
        project_services.requirements_confirm(project=project, actor=org["regional_pm"])
    return to_acceptance(org, project, upload, size=size)


@pytest.fixture
def in_acceptance(org, project, upload):  # noqa: F811
    return walk_to_acceptance(org, project, upload)
