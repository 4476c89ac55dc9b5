"""The layout's per-user facts — roles, navigation, the inbox badge and the bell — read with one
cache lookup per page. The entry is built on a miss and forgotten by the services that change
what it holds: a task opened, claimed, handed on or closed for the user, a notification written
or read, a role, region, team or delegation changed. A huge queue is counted only up to
BADGE_LIMIT and shown as "99+"; no page counts a whole queue for the side bar.

The same entry holds who the user is to the rest of the page (`who`): his role groups, the
regions he acts for and whether anybody's delegation reaches him today. Every inbox, queue and
permission check of a page starts from them; read from the entry, they cost no query on a warm
page, and they change only with what already forgets the entry."""

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.db import transaction
from django.utils import timezone

BADGE_LIMIT = 99


def _cache():
    return caches[settings.PMIS_LAYOUT_CACHE]


def _key(user_id: int, day=None) -> str:
    # The day is part of the key: a delegation that starts or ends today changes the inbox.
    return f"pmis:layout:{user_id}:{(day or timezone.localdate()).isoformat()}"


def bounded_count(queryset, limit: int = BADGE_LIMIT) -> int:
    """How many rows, counted no further than limit + 1 (one query whatever the queue's size)."""
    return queryset.values("pk")[: limit + 1].count()


def badge(count: int, limit: int = BADGE_LIMIT) -> int | str:
    return f"{limit}+" if count > limit else count


def _build(user, *, inbox: int | None = None) -> dict:
    from approvals.selectors import active_delegations_to, inbox_for
    from pmis.navigation import nav_for
    from pmis.notify.models import Notification
    from pmis.org.selectors import user_group_ids, user_region_ids, user_role_codes

    if inbox is None:
        inbox = bounded_count(inbox_for(user).order_by())
    unread = bounded_count(Notification.objects.filter(recipient=user, read_at__isnull=True))
    roles = sorted(user_role_codes(user))
    return {
        "nav": nav_for(user),
        "roles": roles,
        "inbox": badge(inbox),
        "unread": badge(unread),
        "who": {
            "groups": sorted(user_group_ids(user)),
            "roles": roles,
            "regions": sorted(user_region_ids(user)),
            "delegated": bool(active_delegations_to(user)),
        },
    }


# Layouts forgotten so far by this process: an entry read earlier in a request is used again
# only if nothing has been forgotten since (a view that changed it renders the new one).
_forgotten = [0]


def _kept_on(user) -> dict | None:
    """The entry this request already read for the user, if nothing was forgotten since."""
    kept = getattr(user, "_pmis_layout", None)
    return kept[1] if kept is not None and kept[0] == _forgotten[0] else None


def layout_facts(user, *, inbox_count: int | None = None) -> dict:
    """The cached facts of the user's layout. A page that has just counted the user's whole inbox
    (the inbox page, for its paging) passes that count so that a miss does not count again."""
    facts = _kept_on(user)
    if facts is not None:
        return facts
    seen = _forgotten[0]
    key = _key(user.pk)
    facts = _cache().get(key)
    if facts is None:
        facts = _build(user, inbox=inbox_count)
        _cache().set(key, facts, settings.PMIS_LAYOUT_CACHE_SECONDS)
    user._pmis_layout = (seen, facts)
    return facts


def who(user) -> dict | None:
    """The user's groups (ids), role codes, regions (ids) and whether a delegation reaches him
    today, as his kept layout entry holds them; None when nothing is kept (they are then read from
    the database). Looked up once per request object, before the view reads any of them."""
    kept = getattr(user, "_pmis_who", None)
    if kept is None:
        if _keeps_nothing() or not user.pk:
            kept = {}
        else:
            seen = _forgotten[0]
            facts = _cache().get(_key(user.pk))
            if facts is not None:
                user._pmis_layout = (seen, facts)  # the side bar's lookup later in the request
            kept = (facts or {}).get("who") or {}
        user._pmis_who = kept
    return kept or None


def _keeps_nothing() -> bool:
    return isinstance(_cache(), DummyCache)  # nothing kept, nothing to forget: no query spent on who


def layout_forget(user_ids: Iterable[int | None]) -> None:
    """Forget the layouts of these users now, and again when the transaction commits, so that a
    page rendered meanwhile from the old rows does not keep them."""
    if _keeps_nothing():
        return
    ids = sorted({pk for pk in user_ids if pk})
    if not ids:
        return
    _forgotten[0] += 1
    day = timezone.localdate()
    keys = [_key(pk, day) for pk in ids]
    store = _cache()
    store.delete_many(keys)
    transaction.on_commit(lambda: store.delete_many(keys))


def with_delegates(user_ids: Iterable[int | None]) -> set[int]:
    """These users and whoever acts for them today (代理审批 shows their tasks to the delegate)."""
    from approvals.models import Delegation

    ids = {pk for pk in user_ids if pk}
    if not ids:
        return ids
    today = timezone.localdate()
    delegates = Delegation.objects.filter(
        delegator_id__in=ids, starts_on__lte=today, ends_on__gte=today, cancelled_at__isnull=True
    ).values_list("delegate_id", flat=True)
    return ids | set(delegates)


def task_people(task) -> set[int]:
    """Everyone whose inbox a task may be in, whatever its claim: its assignee, claimer and the
    members of its role in its region and team."""
    from pmis.org.selectors import users_in_role

    ids = {task.assignee_id, task.claimed_by_id}
    if task.group_id is not None:
        users = users_in_role(task.group.name, region=task.region)
        if task.department_id is not None:
            users = users.filter(department_id=task.department_id)
        ids |= set(users.values_list("pk", flat=True))
    return with_delegates(ids)


def layout_forget_task(task, *also: int | None) -> None:
    """A task was opened, handed on or closed: forget the layouts of the people it concerns (and
    of `also`, e.g. whoever it waited on before). A task held behind it (加签) comes free when it
    closes, so those people are forgotten too."""
    from approvals.models import Task

    if _keeps_nothing():
        return
    ids = task_people(task) | with_delegates(also)
    if task.pk is not None and task.state != Task.State.OPEN:
        for held in Task.objects.filter(waits_for=task, state=Task.State.OPEN).select_related("group", "region"):
            ids |= task_people(held)
    layout_forget(ids)


# ---------------------------------------------------------------------------------------------
# What changes a layout outside the services' own calls: any save of a task's waiting fields,
# a role, region permission, team, delegation or staff flag changed (also from the admin).

TASK_FIELDS = frozenset(
    {"state", "assignee", "claimed_by", "group", "region", "department", "exclude_user", "waits_for"}
)


def _task_saved(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not (TASK_FIELDS & set(update_fields)):
        return  # a deadline, a warning stamp: the badge does not change
    layout_forget_task(instance)


def _task_deleted(sender, instance, **kwargs) -> None:
    layout_forget({instance.assignee_id, instance.claimed_by_id})


def _user_saved(sender, instance, created=False, **kwargs) -> None:
    if not created:
        layout_forget([instance.pk])


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    if not reverse:  # user.groups.add(...)
        layout_forget([instance.pk])
    elif pk_set:  # group.user_set.add(...)
        layout_forget(pk_set)
    else:  # group.user_set.clear(): nobody knows who was there; the entries expire on their own
        layout_forget(instance.user_set.values_list("pk", flat=True))


def _group_permissions_changed(sender, instance, action, reverse, **kwargs) -> None:
    from django.contrib.auth.models import Group

    if action.startswith("post_") and isinstance(instance, Group):
        layout_forget(instance.user_set.values_list("pk", flat=True))


def _object_permission_changed(sender, instance, **kwargs) -> None:
    layout_forget([getattr(instance, "user_id", None)])


def _delegation_saved(sender, instance, **kwargs) -> None:
    layout_forget([instance.delegate_id, instance.delegator_id])


def _group_object_permission_changed(sender, instance, **kwargs) -> None:
    """A region granted to or taken from a role group: its members act in other regions now."""
    layout_forget(instance.group.user_set.values_list("pk", flat=True))


def connect() -> None:
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from guardian.models import GroupObjectPermission, UserObjectPermission

    from approvals.models import Delegation, Task
    from pmis.org.models import User

    post_save.connect(_task_saved, sender=Task, dispatch_uid="layout_task_saved")
    post_delete.connect(_task_deleted, sender=Task, dispatch_uid="layout_task_deleted")
    post_save.connect(_user_saved, sender=User, dispatch_uid="layout_user_saved")
    m2m_changed.connect(_groups_changed, sender=User.groups.through, dispatch_uid="layout_groups")
    m2m_changed.connect(_group_permissions_changed, sender=Group.permissions.through, dispatch_uid="layout_perms")
    for signal in (post_save, post_delete):
        signal.connect(_object_permission_changed, sender=UserObjectPermission, dispatch_uid=f"layout_obj_{signal}")
        signal.connect(
            _group_object_permission_changed, sender=GroupObjectPermission, dispatch_uid=f"layout_gobj_{signal}"
        )
        signal.connect(_delegation_saved, sender=Delegation, dispatch_uid=f"layout_delegation_{signal}")
