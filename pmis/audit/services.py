from contextvars import ContextVar
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from . import channel
from .models import AuditEntry

_listeners: list = []


def on_record(listener) -> None:
    """Call `listener(entry, subject)` after each audit row, in the same transaction (the
    webhook outbox is written this way, so an event exists exactly when its change committed)."""
    if listener not in _listeners:
        _listeners.append(listener)


def _state_label(subject: models.Model, field_name: str, value: str) -> str:
    try:
        field = subject._meta.get_field(field_name)
    except Exception:
        return value
    return dict(field.flatchoices).get(value, value) if field.choices else value


# (actor pk, content type pk, object id) -> the person the actor answers for (代理审批)
_ON_BEHALF: ContextVar[dict | None] = ContextVar("audit_on_behalf", default=None)


def _subject_key(actor, subject: models.Model) -> tuple:
    return (actor.pk, ContentType.objects.get_for_model(subject, for_concrete_model=False).pk, subject.pk)


def audit_on_behalf(*, actor, subject: models.Model, principal) -> None:
    """Say that the actor's next audit row on `subject` is written for `principal` (he answers
    a step as a delegate), so the history reads “李四 代 张三 审批”. Forgotten when the
    transaction ends."""
    from django.db import transaction

    pending = dict(_ON_BEHALF.get() or {})
    key = _subject_key(actor, subject)
    pending[key] = (principal.pk, str(principal))
    _ON_BEHALF.set(pending)

    def forget():
        left = dict(_ON_BEHALF.get() or {})
        left.pop(key, None)
        _ON_BEHALF.set(left)

    transaction.on_commit(forget)


def audit_record(
    *,
    subject: models.Model,
    action: str,
    label: str,
    actor=None,
    from_state: str = "",
    to_state: str = "",
    comment: str = "",
    details: dict[str, Any] | None = None,
    state_field: str = "state",
) -> AuditEntry:
    """Write one audit row for a change on `subject`. Every service calls this inside its
    transaction; `actor=None` means the system did it."""
    details = dict(details or {})
    details.update(channel.current() or {})
    pending = _ON_BEHALF.get()
    if pending and actor is not None and actor.is_authenticated:
        key = _subject_key(actor, subject)
        principal = pending.get(key)
        if principal is not None:
            _ON_BEHALF.set({k: v for k, v in pending.items() if k != key})
            details.setdefault("on_behalf_of", principal[0])
            details.setdefault("on_behalf_of_name", principal[1])
    if from_state:
        details.setdefault("from_label", _state_label(subject, state_field, from_state))
    if to_state:
        details.setdefault("to_label", _state_label(subject, state_field, to_state))
    entry = AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(subject, for_concrete_model=False),
        object_id=subject.pk,
        action=action,
        action_label=label,
        from_state=from_state,
        to_state=to_state,
        actor=actor if actor is not None and actor.is_authenticated else None,
        comment=comment,
        details=details,
    )
    for listener in _listeners:
        listener(entry, subject)
    return entry
