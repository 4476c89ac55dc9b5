import json
from collections.abc import Sequence
from contextvars import ContextVar
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from . import channel
from .models import AuditEntry

_listeners: list = []
_bulk_listeners: dict = {}


def on_record(listener, *, many=None) -> None:
    """Call `listener(entry, subject)` after each audit row, in the same transaction (the
    webhook outbox is written this way, so an event exists exactly when its change committed).
    `many(pairs)`, if given, is called instead with an iterator of (entry, subject) pairs when
    a sweep writes thousands of rows at once, so it can decide once whether it cares."""
    if listener not in _listeners:
        _listeners.append(listener)
    if many is not None:
        _bulk_listeners[listener] = many


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


def audit_record_many(
    *, model: type[models.Model], object_ids: Sequence[int], action: str, label: str, comment: str = ""
) -> int:
    """One audit row per record of `model` for the same system action (the actor is the system),
    written with one INSERT whatever their number — for sweeps that act on thousands of rows at
    once. The records themselves are loaded only if a listener wants to see them."""
    if not object_ids:
        return 0
    from django.db import connection
    from django.utils import timezone

    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    details = dict(channel.current() or {})
    at = timezone.now()
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    if connection.vendor != "postgresql":
        # the embedded default (SQLite) has no arrays to unnest: the same rows through the ORM
        fields = dict(content_type=content_type, action=action, action_label=label, at=at, comment=comment)
        rows = AuditEntry.objects.bulk_create(
            AuditEntry(object_id=object_id, details=details, **fields) for object_id in object_ids
        )
        written = [(row.pk, row.object_id) for row in rows]
    else:
        written = _insert_entries(table, content_type, action, label, at, comment, details, object_ids)
    _announce(written, model, content_type, action, label, at, comment, details)
    return len(written)


def _insert_entries(table, content_type, action, label, at, comment, details, object_ids) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (content_type_id, object_id, action, action_label, from_state, to_state, "
            "actor_id, at, comment, details) "
            "SELECT %s, o, %s, %s, '', '', NULL, %s, %s, %s::jsonb FROM unnest(%s::bigint[]) WITH ORDINALITY "
            "AS t(o, n) ORDER BY n RETURNING id, object_id",
            [content_type.pk, action, label, at, comment, json.dumps(details), list(object_ids)],
        )
        return cursor.fetchall()


def _announce(written, model, content_type, action, label, at, comment, details) -> None:
    """Hand the rows just written to the audit listeners, with their records (read in chunks)."""

    def pairs():
        for start in range(0, len(written), 1000):
            chunk = written[start : start + 1000]
            subjects = model._default_manager.in_bulk([object_id for _, object_id in chunk])
            for pk, object_id in chunk:
                entry = AuditEntry(
                    pk=pk, content_type=content_type, object_id=object_id, action=action, action_label=label,
                    at=at, comment=comment, details=details,
                )  # fmt: skip
                yield entry, subjects[object_id]

    for listener in _listeners:
        many = _bulk_listeners.get(listener)
        if many is not None:
            many(pairs())
        else:
            for entry, subject in pairs():
                listener(entry, subject)
