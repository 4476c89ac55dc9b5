from django.contrib.auth.models import Group, Permission
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from .data import DEPARTMENTS, REGIONS
from .models import Department, Province, Region, User
from .roles import ROLES

REGION_PERMISSION = "org.act_in_region"


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".", 1)
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@transaction.atomic
def roles_sync() -> dict[str, int]:
    """Create the role groups, give each exactly its model permissions, and make sure the
    regions and departments exist. Running it again changes nothing."""
    changes = {"groups": 0, "permissions": 0, "regions": 0, "provinces": 0, "departments": 0}
    for role in ROLES:
        group, created = Group.objects.get_or_create(name=role.code)
        changes["groups"] += created
        wanted = {_permission(p).pk for p in role.all_permissions}
        current = set(group.permissions.values_list("pk", flat=True))
        if wanted != current:
            group.permissions.set(wanted)
            changes["permissions"] += len(wanted ^ current)
    for spec in REGIONS:
        region, created = Region.objects.get_or_create(
            code=spec["code"],
            defaults={k: spec[k] for k in ("name", "sort_order", "svn_path_template")},
        )
        changes["regions"] += created
        for name in spec["provinces"]:
            _, created = Province.objects.get_or_create(name=name, defaults={"region": region})
            changes["provinces"] += created
    by_code: dict[str, Department] = {}
    for code, name, parent_code in DEPARTMENTS:
        department, created = Department.objects.get_or_create(
            code=code, defaults={"name": name, "parent": by_code.get(parent_code or "")}
        )
        by_code[code] = department
        changes["departments"] += created
    return changes


def region_scope_grant(*, user: User, region: Region) -> None:
    """Let a region-scoped role (特批领导, 区域项目经理) act for one region."""
    assign_perm(REGION_PERMISSION, user, region)


def region_scope_revoke(*, user: User, region: Region) -> None:
    remove_perm(REGION_PERMISSION, user, region)
