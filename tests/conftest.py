import pytest

from pmis.catalog.services import catalogue_seed
from pmis.org.demo import DEMO_PASSWORD, demo_users_seed
from pmis.org.services import roles_sync


@pytest.fixture
def roles(db):
    roles_sync()


@pytest.fixture
def demo(db):
    """The demo organisation: every role's demo user, keyed by username."""
    roles_sync()
    catalogue_seed()
    return {user.username: user for user in demo_users_seed()}


@pytest.fixture
def demo_password():
    return DEMO_PASSWORD
