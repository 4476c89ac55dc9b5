"""Who may see or add documents of a record. Each app registers its models in AppConfig.ready;
a record whose model is not registered is visible to superusers only."""

from collections.abc import Callable

from django.db import models

Check = Callable[[object, models.Model], bool]
# (subject, attachment, actor): a step that waits on a document closes when it is stored
Attached = Callable[[models.Model, object, object], None]
_viewers: dict[type[models.Model], Check] = {}
_attachers: dict[type[models.Model], Check] = {}
_after_attach: dict[type[models.Model], Attached] = {}


def register(
    model: type[models.Model], *, can_view: Check, can_attach: Check, after_attach: Attached | None = None
) -> None:
    _viewers[model] = can_view
    _attachers[model] = can_attach
    if after_attach is not None:
        _after_attach[model] = after_attach


def unregister(model: type[models.Model]) -> None:
    _viewers.pop(model, None)
    _attachers.pop(model, None)
    _after_attach.pop(model, None)


def attached(subject: models.Model, attachment, actor) -> None:
    """Tell the record's app that a document was stored (inside the upload's transaction)."""
    hook = _after_attach.get(type(subject))
    if hook is not None:
        hook(subject, attachment, actor)


def can_view(user, subject: models.Model) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    check = _viewers.get(type(subject))
    return bool(check and check(user, subject))


def can_attach(user, subject: models.Model) -> bool:
    if not user.is_authenticated:
        return False
    check = _attachers.get(type(subject))
    return bool(check and check(user, subject)) or user.is_superuser
