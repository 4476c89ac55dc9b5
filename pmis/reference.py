"""Reference rows that many pages read and few people change: the SLA policies (时限策略), the
working calendar's holidays and 调休 days, the regions, the departments and the role groups' ids.
Each kind is kept whole as one entry of the shared cache (the layout's, pmis.layout), so a page
reads it with one cache lookup rather than a query, and it is forgotten as soon as one of its
rows is saved or deleted, from a service or the admin (connect() below), now and again when the
transaction commits.

Where nothing is kept (a DummyCache, as in most tests) each read goes to the database."""

import pickle

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.db import transaction

PREFIX = "pmis:ref:v2:"  # the version changes when what a kind holds does


def _policies() -> dict:
    """Each policy pickled on its own: a page asks for one or two of some fifty, and rebuilding
    every row of the kept entry on each read cost more than the rest of the lookup."""
    from pmis.worktime.models import SlaPolicy

    return {policy.code: pickle.dumps(policy, pickle.HIGHEST_PROTOCOL) for policy in SlaPolicy.objects.all()}


def _calendar() -> dict:
    from pmis.worktime.models import CalendarDay

    return dict(CalendarDay.objects.values_list("date", "kind"))


def _regions() -> list:
    from pmis.org.models import Region

    return list(Region.objects.all())


def _departments() -> dict:
    from pmis.org.models import Department

    return {department.pk: department for department in Department.objects.all()}


def _groups() -> dict:
    from django.contrib.auth.models import Group

    return dict(Group.objects.values_list("name", "pk"))


# name: (what reads it from the database, the models whose rows it holds as "app_label.Model")
KINDS = {
    "policies": (_policies, ("worktime.SlaPolicy",)),
    "calendar": (_calendar, ("worktime.CalendarDay",)),
    "regions": (_regions, ("org.Region",)),
    "departments": (_departments, ("org.Department",)),
    "groups": (_groups, ("auth.Group",)),
}


def _store():
    store = caches[settings.PMIS_LAYOUT_CACHE]
    return None if isinstance(store, DummyCache) else store


def read(name: str):
    """The kept rows of one kind, read from the database when nothing is kept."""
    load = KINDS[name][0]
    store = _store()
    if store is None:
        return load()
    value = store.get(PREFIX + name)
    if value is None:
        value = load()
        store.set(PREFIX + name, value, settings.PMIS_LAYOUT_CACHE_SECONDS)
    return value


def forget(*names: str) -> None:
    store = _store()
    if store is None:
        return
    keys = [PREFIX + name for name in names]
    store.delete_many(keys)
    # a page that read the old rows before the change committed may have kept them meanwhile
    transaction.on_commit(lambda: store.delete_many(keys))


# What pages ask for ----------------------------------------------------------------------------


def policy(code: str):
    """The SLA policy of this code, or None (a row of its own: the caller may change it)."""
    kept = read("policies").get(code)
    return None if kept is None else pickle.loads(kept)


def policies(prefix: str = "") -> list:
    """The policies whose codes start with prefix, in code order."""
    kept = sorted(read("policies").items())
    return [pickle.loads(row) for code, row in kept if code.startswith(prefix)]


def calendar_days() -> dict:
    """Every day that differs from the Monday–Friday week: {date: CalendarDay.Kind}."""
    return read("calendar")


def regions() -> list:
    """Every region, in the regions' own order (sort_order, id)."""
    return read("regions")


def departments() -> list:
    """Every department, in id order."""
    return list(read("departments").values())


def department(pk: int | None):
    return read("departments").get(pk) if pk is not None else None


def group_ids(names) -> list[int]:
    """The ids of the role groups of these names (those that exist), as values: a query naming
    them lets the planner see how many steps each group holds (a join on the name leaves it
    guessing)."""
    groups = read("groups")
    return sorted(groups[name] for name in set(names) if name in groups)


def _changed(sender, **kwargs) -> None:
    label = sender._meta.label
    forget(*(name for name, (_load, models) in KINDS.items() if label in models))


def connect() -> None:
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    for _load, models in KINDS.values():
        for label in models:
            model = apps.get_model(label)
            for signal in (post_save, post_delete):
                signal.connect(_changed, sender=model, dispatch_uid=f"reference_{label}_{signal}")
