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
