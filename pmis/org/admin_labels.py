"""Chinese names in the admin for what Django and the libraries name in English.

Django stores a default permission's name in English when it migrates ("Can add log entry") and
derives a model's name from its class when the library gives none ("user object permission"):
neither goes through translation. The admin's pick lists and filters use the labels below, built
from the Chinese verbose names, instead."""

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from .roles import role_label

_ACTIONS = {"add": "添加", "change": "修改", "delete": "删除", "view": "查看"}

# Models whose library (or whose guardian base class) leaves the name to the class name.
_MODEL_NAMES = {
    "guardian.userobjectpermission": "用户对象权限",
    "guardian.groupobjectpermission": "组对象权限",
    "projects.projectuserobjectpermission": "项目成员权限（用户）",
    "projects.projectgroupobjectpermission": "项目成员权限（组）",
}

# The apps whose records carry audit rows and attachments.
OWN_APPS = (
    "org",
    "catalog",
    "audit",
    "worktime",
    "notify",
    "documents",
    "registrations",
    "projects",
    "approvals",
    "aftersales",
)


def model_label(app_label: str, model_name: str) -> str:
    key = f"{app_label}.{model_name}"
    if key in _MODEL_NAMES:
        return _MODEL_NAMES[key]
    try:
        return str(apps.get_model(app_label, model_name)._meta.verbose_name)
    except LookupError:
        return model_name


def app_label_name(app_label: str) -> str:
    try:
        return str(apps.get_app_config(app_label).verbose_name)
    except LookupError:
        return app_label


def content_type_label(content_type: ContentType) -> str:
    """「应用｜模型」, in Chinese (by the app registry: no query)."""
    return f"{app_label_name(content_type.app_label)}｜{model_label(content_type.app_label, content_type.model)}"


def permission_label(permission: Permission) -> str:
    """「应用｜模型｜可添加模型」 for Django's default permissions; a permission we define keeps its
    own (Chinese) name."""
    ct = permission.content_type
    action, _, model = permission.codename.partition("_")
    if action in _ACTIONS and model == ct.model:
        name = f"可{_ACTIONS[action]}{model_label(ct.app_label, ct.model)}"
    else:
        name = permission.name
    return f"{content_type_label(ct)}｜{name}"


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return permission_label(obj)


class RoleGroupChoiceField(forms.ModelMultipleChoiceField):
    """Role groups by their Chinese label; the code stays the group's name (see the group list)."""

    def label_from_instance(self, obj):
        return role_label(obj.name)


def localised_m2m_formfield(db_field, kwargs: dict) -> dict:
    """The keyword arguments that make the admin's group and permission pickers Chinese."""
    if db_field.remote_field.model is Permission:
        kwargs.setdefault("form_class", PermissionChoiceField)
        kwargs["queryset"] = kwargs.get("queryset", Permission.objects).select_related("content_type")
    elif db_field.remote_field.model is Group:
        kwargs.setdefault("form_class", RoleGroupChoiceField)
    return kwargs


class RoleGroupListFilter(admin.RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        return [(g.pk, role_label(g.name)) for g in Group.objects.order_by("name")]


class ContentTypeListFilter(admin.RelatedFieldListFilter):
    """Record types of our own apps, by their Chinese names (no scan of the filtered table)."""

    def field_choices(self, field, request, model_admin):
        types = ContentType.objects.filter(app_label__in=OWN_APPS).order_by("app_label", "model")
        choices = [(ct.pk, content_type_label(ct)) for ct in types]
        return sorted(choices, key=lambda choice: choice[1])
