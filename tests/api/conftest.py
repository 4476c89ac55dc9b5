import pytest
from rest_framework.test import APIClient

from api.tokens import token_create


@pytest.fixture(autouse=True)
def _fresh_throttle(settings):
    """Each test starts with a fresh budget per token (the throttle counts in the cache)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def token_for(org):
    """An API token for a demo user (all scopes unless given) and the raw key."""

    counter = iter(range(1, 1000))

    def make(username, *, scopes=None, days=30, name=""):
        user = org[username]
        name = name or f"测试令牌 {next(counter)}"
        token, raw = token_create(user=user, actor=user, name=name, days=days, scopes=scopes)
        return token, raw

    return make


@pytest.fixture
def api_as(token_for):
    """An API client calling with a demo user's token."""

    def make(username, **kwargs):
        _token, raw = token_for(username, **kwargs)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make
