"""Who may see or add documents of a record. Each app registers its models in AppConfig.ready;
a record whose model is not registered is visible to superusers only."""

from collections.abc import Callable

from django.db import models

Check = Callable[[object, models.Model], bool]
_viewers: dict[type[models.Model], Check] = {}
_attachers: dict[type[models.Model], Check] = {}


def register(model: type[models.Model], *, can_view: Check, can_attach: Check) -> None:
    _viewers[model] = can_view
    _attachers[model] = can_attach


def unregister(model: type[models.Model]) -> None:
    _viewers.pop(model, None)
    _attachers.pop(model, None)


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
