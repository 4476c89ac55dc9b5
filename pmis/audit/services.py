from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEntry


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
    if from_state:
        details.setdefault("from_label", _state_label(subject, state_field, from_state))
    if to_state:
        details.setdefault("to_label", _state_label(subject, state_field, to_state))
    return AuditEntry.objects.create(
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
