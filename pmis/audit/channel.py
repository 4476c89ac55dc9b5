"""How a change reached the system. The web pages are the default; a call through the API says
so, with the token's name, on every audit row it writes (set for the length of the request)."""

from contextlib import contextmanager
from contextvars import ContextVar

_via: ContextVar[dict | None] = ContextVar("audit_via", default=None)


def current() -> dict | None:
    return _via.get()


@contextmanager
def via(channel: str, name: str):
    token = _via.set({"via": channel, "via_name": name})
    try:
        yield
    finally:
        _via.reset(token)


def set_for_request(channel: str, name: str) -> None:
    """For code that cannot wrap the call (an authentication class): the value lasts until the
    request's context ends; `clear()` at the end of the request."""
    _via.set({"via": channel, "via_name": name})


def clear() -> None:
    _via.set(None)
