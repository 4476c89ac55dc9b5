"""No choice list says Django's “---------”: an empty choice reads 请选择 (a filter's 全部…), in
every form class of the project and on the pages people fill in."""

import importlib
import pkgutil

import pytest
from django import forms
from django.urls import reverse


def _local_apps() -> tuple[str, ...]:
    """Every app of this project (not third-party): its package sits in the repository."""
    from pathlib import Path

    from django.apps import apps
    from django.conf import settings

    root = Path(settings.BASE_DIR).resolve()

    def local(path: str) -> bool:
        # a virtualenv inside the checkout (make's .venv) holds third-party apps, not ours
        resolved = Path(path).resolve()
        return root in resolved.parents and "site-packages" not in resolved.parts

    return tuple(sorted({c.name.split(".")[0] for c in apps.get_app_configs() if local(c.path)}))


PACKAGES = _local_apps()
SKIP = ("pmis.settings", "pmis.wsgi", "pmis.asgi")


def _project_form_classes():
    for package in PACKAGES:
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            if ".migrations" in info.name or ".management" in info.name or info.name.startswith(SKIP):
                continue
            importlib.import_module(info.name)
    seen, stack = [], [forms.BaseForm]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            stack.append(sub)
            if sub.__module__.split(".")[0] in PACKAGES and sub not in seen:
                seen.append(sub)
    return seen


def _empty_label(field):
    if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        return None
    if isinstance(field, forms.ModelChoiceField):
        return field.empty_label
    if isinstance(field, forms.ChoiceField):
        return next((str(label) for value, label in field.choices if value == ""), None)
    return None


def test_every_form_class_says_qing_xuan_ze_not_dashes():
    classes = _project_form_classes()
    assert len(classes) >= 20, [c.__name__ for c in classes]  # the walk found the project's forms
    checked, wrong = 0, []
    for cls in classes:
        for name, field in cls.base_fields.items():
            label = _empty_label(field)
            if label is None:
                continue
            checked += 1
            if not (label.startswith("请选择") or label.startswith("全部")):
                wrong.append(f"{cls.__module__}.{cls.__name__}.{name}: {label}")
    assert checked >= 10
    assert wrong == []


@pytest.mark.django_db
def test_the_registration_form_offers_qing_xuan_ze(client, org):
    client.force_login(org["sales"])
    body = client.get(reverse("registrations:create", args=["local"])).content.decode()
    assert "---------" not in body
    assert '<option value="" selected>请选择</option>' in body
