import pytest

from pmis.org.models import Region
from pmis.worktime.services import sla_policies_seed
from tests.projects.conftest import dispatched, project, upload  # noqa: F401  (shared fixtures)


@pytest.fixture
def policies(db):
    sla_policies_seed()


@pytest.fixture
def north(demo):
    return Region.objects.get(code="north")


@pytest.fixture
def south(demo):
    return Region.objects.get(code="south")


@pytest.fixture
def subject(demo):
    """Any record can own waiting work; a department stands in for one here."""
    from pmis.org.models import Department

    return Department.objects.get(code="sales-1")
