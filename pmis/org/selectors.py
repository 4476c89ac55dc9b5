from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from guardian.shortcuts import get_objects_for_user, get_users_with_perms

from .models import Region, User
from .roles import ROLE_BY_CODE, Role
from .services import REGION_PERMISSION


def _read_groups(user: User) -> None:
    from pmis.layout import who

    kept = who(user)
    if kept is not None:  # his kept layout entry (pmis.layout): forgotten whenever his groups change
        user._pmis_group_ids, user._pmis_role_codes = frozenset(kept["groups"]), frozenset(kept["roles"])
        return
    rows = list(user.groups.values_list("pk", "name"))
    user._pmis_group_ids = frozenset(pk for pk, _ in rows)
    user._pmis_role_codes = frozenset(name for _, name in rows)


def user_role_codes(user: User) -> frozenset[str]:
    """The role codes of a user, read once per request object."""
    if not user.is_authenticated:
        return frozenset()
    if getattr(user, "_pmis_role_codes", None) is None:
        _read_groups(user)
    return user._pmis_role_codes


def user_group_ids(user: User) -> frozenset[int]:
    """The ids of the user's role groups, read with his role codes once per request object."""
    if not user.is_authenticated:
        return frozenset()
    if getattr(user, "_pmis_group_ids", None) is None:
        _read_groups(user)
    return user._pmis_group_ids


def user_roles(user: User) -> list[Role]:
    return [ROLE_BY_CODE[code] for code in sorted(user_role_codes(user)) if code in ROLE_BY_CODE]


def user_regions(user: User) -> QuerySet[Region]:
    """Regions the user may act for through a region-scoped role (guardian object permission)."""
    return get_objects_for_user(user, REGION_PERMISSION, klass=Region, accept_global_perms=False, with_superuser=False)


def user_region_ids(user: User) -> frozenset[int]:
    """The regions a user acts for, read once per request object (every "may he act in this
    region" of a page is then a set lookup, not a permission query each)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_pmis_region_ids", None)
    if cached is None:
        from pmis.layout import who

        kept = who(user)
        cached = frozenset(kept["regions"]) if kept is not None else _read_region_ids(user)
        user._pmis_region_ids = cached
    return cached


def _read_region_ids(user: User) -> frozenset[int]:
    """user_regions(user) as ids, in one short statement: guardian's own query builds the same
    condition through several nested querysets, which cost more to build and plan than to run on
    every page that asks."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection
    from guardian.models import GroupObjectPermission, UserObjectPermission

    codename = REGION_PERMISSION.split(".", 1)[1]
    content_type = ContentType.objects.get_for_model(Region)
    tables = {
        "region": Region._meta.db_table,
        "permission": Permission._meta.db_table,
        "user_perm": UserObjectPermission._meta.db_table,
        "group_perm": GroupObjectPermission._meta.db_table,
        "user_groups": User.groups.through._meta.db_table,
    }
    sql = (
        'SELECT r."id" FROM "{region}" r WHERE CAST(r."id" AS VARCHAR(40)) IN ('
        ' SELECT u."object_pk" FROM "{user_perm}" u JOIN "{permission}" p ON p."id" = u."permission_id"'
        ' WHERE u."user_id" = %s AND p."content_type_id" = %s AND p."codename" = %s'
        " UNION ALL"
        ' SELECT g."object_pk" FROM "{group_perm}" g JOIN "{permission}" p ON p."id" = g."permission_id"'
        ' WHERE g."group_id" IN (SELECT m."group_id" FROM "{user_groups}" m WHERE m."user_id" = %s)'
        ' AND p."content_type_id" = %s AND p."codename" = %s)'
    ).format(**tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, content_type.pk, codename, user.pk, content_type.pk, codename])
        return frozenset(row[0] for row in cursor.fetchall())


def acts_in_region(user: User, region_id: int | None) -> bool:
    """user.has_perm("org.act_in_region", region), from the request's one read of his regions."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or (region_id is not None and region_id in user_region_ids(user))


def users_in_role(code: str, *, region: Region | None = None) -> QuerySet[User]:
    users = User.objects.filter(groups__name=code, is_active=True)
    if region is not None:
        scoped = get_users_with_perms(region, only_with_perms_in=["act_in_region"], with_group_users=False)
        users = users.filter(pk__in=scoped.values("pk"))
    return users.order_by("username").distinct()


def directory_users(
    *, fetched_by: User, department=None, region: Region | None = None, role: str = ""
) -> QuerySet[User]:
    """Active staff for the 通讯录 (every signed-in member of staff may read it), with what the
    page shows fetched up front. The list pattern adds the keyword and the order."""
    if not fetched_by.is_authenticated:
        return User.objects.none()
    users = User.objects.filter(is_active=True).select_related("department", "region").prefetch_related("groups")
    if department is not None:
        users = users.filter(department=department)
    if region is not None:
        users = users.filter(region=region)
    if role:
        users = users.filter(pk__in=User.objects.filter(groups__name=role).values("pk"))
    return users
