from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.db.models import Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils import timezone

from pmis.compound import union_all
from pmis.lists import rows_by_id
from pmis.org.selectors import user_group_ids, user_region_ids
from pmis.statements import run_prepared

from .models import Delegation, Task


def _region_ids(user) -> list[int]:
    return list(user_region_ids(user))


def _waited_for() -> QuerySet[Task]:
    waited = Task.objects.filter(waits_for__isnull=False).values("waits_for_id")
    return Task.objects.filter(state=Task.State.OPEN, pk__in=waited).values("pk")


def _own_waiting(user, *, also_claimed_by=None) -> Q:
    """Open tasks waiting on this user himself: assigned to them, or waiting on one of their
    groups in one of their regions (or region-free), in their team when the task names one, and
    not claimed by somebody else (his delegate's claim counts as his)."""
    # the group ids as values (read once per request with the role codes), so that the planner
    # knows how many open tasks each group holds and reads task_open_by_group for them
    group_ids = sorted(user_group_ids(user))
    claimers = Q(claimed_by__isnull=True) | Q(claimed_by=user)
    if also_claimed_by is not None:
        claimers |= Q(claimed_by=also_claimed_by)
    by_group = (
        Q(assignee__isnull=True)
        & Q(group__in=group_ids)
        & (Q(region__isnull=True) | Q(region__in=_region_ids(user)))
        & (Q(department__isnull=True) | Q(department=user.department_id))
        & claimers
    )
    # 加签: held until the task it waits for is done. Tested against the few open tasks anything
    # waits for (read once through task_waits_for_set), not by joining or probing each row: either
    # makes PostgreSQL plan the inbox as if it read the whole task table.
    not_held = Q(waits_for__isnull=True) | ~Q(waits_for__in=_waited_for())
    return Q(state=Task.State.OPEN) & (Q(assignee=user) | by_group) & ~Q(exclude_user=user) & not_held


def active_delegations_to(user, *, on=None) -> list[Delegation]:
    """The delegations running today (or `on`) that let this user act for someone else. Cached
    on the user object for the request, like his regions."""
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_pmis_delegations", None) if on is None else None
    if cached is None and on is None:
        from pmis.layout import who

        kept = who(user)
        if kept is not None and not kept["delegated"]:  # most people: nobody's delegation reaches them
            cached = user._pmis_delegations = []
    if cached is None:
        day = on or timezone.localdate()
        cached = list(
            Delegation.objects.filter(
                delegate=user, starts_on__lte=day, ends_on__gte=day, cancelled_at__isnull=True
            ).select_related("delegator", "delegator__department")
        )
        if on is None:
            user._pmis_delegations = cached
    return cached


def _kinds(delegation: Delegation) -> Q:
    if not delegation.step_kinds:
        return Q()
    q = Q(pk__in=[])
    for kind in delegation.step_kinds:
        q |= Q(step=kind) | Q(step__startswith=f"{kind}.")
    return q


def _waiting_on(user) -> Q:
    """Open tasks this user may act on: his own, and during a delegation those of the person he
    stands in for (of the kinds it covers); never a task he must keep out of (his own request)."""
    q = _own_waiting(user)
    for delegation in active_delegations_to(user):
        q |= _own_waiting(delegation.delegator, also_claimed_by=user) & _kinds(delegation)
    return q & ~Q(exclude_user=user)


# What each row of an inbox page shows besides the task.
INBOX_RELATED = ("group", "region", "claimed_by", "assignee")


def inbox_rows_by_id() -> QuerySet[Task]:
    """The rows of an inbox page, read by id once InboxIds has chosen them (pmis.lists.list_result's
    `rows`): whether each waits on the user was settled by the branches that found it."""
    return Task.objects.select_related(*INBOX_RELATED)


def inbox_for(user) -> QuerySet[Task]:
    """A user's inbox, soonest due first. Two queries whatever its size: the user's regions,
    then the page (plus one count when paginated)."""
    if not user.is_authenticated:
        return Task.objects.none()
    return (
        Task.objects.filter(_waiting_on(user))
        .select_related(*INBOX_RELATED)
        .order_by(models.F("due_at").asc(nulls_last=True), "id")
    )


# The compiled statement of _inbox_heads by everything it is built from, for people with no
# delegation: building and compiling a dozen branches costs twice what PostgreSQL spends running
# them, and a person's statement changes only with his groups, regions or team (part of the key)
# and the page's narrowing (its key, given by the page). Bounded: emptied when full.
_HEADS_SQL: dict[tuple, tuple[str, tuple]] = {}
_HEADS_SQL_MAX = 4096


def _order_key(order) -> tuple | None:
    """`order` as a key: field names, or plain field orderings; None for anything else."""
    key = []
    for term in order:
        if isinstance(term, str):
            key.append(term)
        elif isinstance(term, OrderBy) and isinstance(term.expression, models.F):
            key.append((term.expression.name, term.descending, term.nulls_first, term.nulls_last))
        else:
            return None
    return tuple(key)


def _order_terms(order) -> tuple[tuple[str, bool, bool], ...] | None:
    """`order` as (column, descending, nulls first) terms when each is one of Task's own columns
    (not a relation, whose order would be the related model's), so that the page can be put in
    order from the values read with its ids; None otherwise. PostgreSQL's own null placement
    (last ascending, first descending) unless the term names one."""
    terms = []
    for term in order:
        if isinstance(term, str):
            descending, name = term.startswith("-"), term.lstrip("-")
            nulls_first = descending
        elif isinstance(term, OrderBy) and isinstance(term.expression, models.F):
            descending, name = term.descending, term.expression.name
            nulls_first = term.nulls_first if term.nulls_first or term.nulls_last else descending
        else:
            return None
        if name == "pk":
            name = "id"
        try:
            field = Task._meta.get_field(name)
        except FieldDoesNotExist:
            return None
        if field.is_relation or not field.concrete:
            return None
        terms.append((field.attname, descending, bool(nulls_first)))
    return tuple(terms)


def _in_order(rows: list[tuple], terms) -> list[int] | None:
    """The ids of rows (id, *values of terms) in the order of terms, as PostgreSQL would give
    them; None when a value is text (the database's collation, not Python's, orders text)."""
    if any(isinstance(value, str) for row in rows for value in row[1:]):
        return None
    rows = list(rows)
    for position in range(len(terms), 0, -1):  # least significant first: each sort is stable
        _name, descending, nulls_first = terms[position - 1]
        null = (2,) if nulls_first == descending else (0,)  # reversed by a descending sort

        def key(row, position=position, null=null):
            value = row[position]
            return null if value is None else (1, value)

        rows.sort(key=key, reverse=descending)
    return [row[0] for row in rows]


def _inbox_heads(user, order, stop: int, narrow=None, narrow_key=None, columns=()) -> list[tuple]:
    """The first `stop` tasks, in `order`, of each branch of inbox_for(user) (narrowed by `narrow`,
    which `narrow_key` names when given), as rows of (id, *columns). The inbox is an OR of branches
    (assigned to him; each of his groups in each of his regions or none; each delegation), and
    sorting the whole OR reads every task of a busy group; each branch alone is read in order from
    its index, all of them in one query. Together they hold the first `stop` tasks of the whole
    inbox."""
    if not user.is_authenticated or stop <= 0:
        return []
    key = None
    keyed = narrow is None or narrow_key is not None
    if keyed and not active_delegations_to(user) and connection.vendor == "postgresql":
        order_key = _order_key(order)
        if order_key is not None:
            groups, regions = tuple(sorted(user_group_ids(user))), tuple(sorted(_region_ids(user)))
            key = (user.pk, user.department_id, groups, regions, order_key, stop, narrow_key, columns)
            compiled = _HEADS_SQL.get(key)
            if compiled is not None:
                return [tuple(row) for row in run_prepared(("inbox-heads", *key), *compiled)]
    not_held = Q(waits_for__isnull=True) | ~Q(waits_for__state=Task.State.OPEN)
    mine = Q(department__isnull=True) | Q(department=user.department_id)
    mine &= Q(claimed_by__isnull=True) | Q(claimed_by=user)
    branches = [Q(assignee=user)]
    for group_id in sorted(user_group_ids(user)):
        for region_id in (None, *_region_ids(user)):
            region = Q(region__isnull=True) if region_id is None else Q(region=region_id)
            branches.append(Q(assignee__isnull=True, group=group_id) & region & mine)
    for delegation in active_delegations_to(user):
        branches.append(_own_waiting(delegation.delegator, also_claimed_by=user) & _kinds(delegation))
    candidates = Task.objects.filter(state=Task.State.OPEN).filter(not_held & ~Q(exclude_user=user))
    if narrow is not None:
        candidates = narrow(candidates)
    heads = [candidates.filter(branch).order_by(*order).values_list("pk", *columns)[:stop] for branch in branches]
    # read into a list, not left as a subquery: given an IN over a UNION of LIMITs, PostgreSQL may
    # plan a walk of the whole task table that re-runs the union for each row
    together = union_all(heads)
    if key is not None:
        if len(_HEADS_SQL) >= _HEADS_SQL_MAX:
            _HEADS_SQL.clear()
        _HEADS_SQL[key] = together.query.sql_with_params()
    return [tuple(row) for row in together]


def _inbox_heads_with_order(user, order, n: int, narrow=None, narrow_key=None) -> tuple[list[tuple], tuple | None]:
    """_inbox_heads as rows of (id, *the values of the order's terms), and those terms; rows of
    (id,) and None when the order is not of Task's own columns (the database orders them then)."""
    terms = _order_terms(order)
    columns = tuple(name for name, _descending, _nulls in terms or () if name != "id")
    rows = _inbox_heads(user, order, n, narrow, narrow_key, columns)
    if terms is not None:
        at = [0 if name == "id" else 1 + columns.index(name) for name, _descending, _nulls in terms]
        rows = [(row[0], *(row[i] for i in at)) for row in rows]
    return rows, terms


class InboxIds:
    """The page reader of a paged inbox (pmis.lists.BoundedPaginator's `ids`), branch by branch:
    the first n tasks of each branch (_inbox_heads) are read once, with the columns of the page's
    order, and both the bounded count and the page's ids come from them. Narrowed by `narrow`, a
    function of a task queryset adding the page's own filters (我认领的, the registration queue's
    filters); `narrow_key`, when given, is a key naming that narrowing wholly (what it filters on
    and by which values), under which the statement is kept compiled for the person."""

    def __init__(self, user, *, narrow=None, narrow_key=None):
        self.user, self.narrow, self.narrow_key = user, narrow, narrow_key
        self._read: tuple | None = None  # (order, n, rows)

    def _heads(self, order, n: int) -> tuple[list[tuple], tuple | None]:
        if self._read is None or self._read[0] != order or self._read[1] < n:
            self._read = (order, n, _inbox_heads_with_order(self.user, order, n, self.narrow, self.narrow_key))
        return self._read[2]

    def count(self, order, upto: int) -> int:
        """How many tasks, counted no further than `upto`. Exact below it: a branch with fewer
        than `upto` tasks gave all of them; a branch with more gave `upto` on its own."""
        rows, _terms = self._heads(order, upto)
        return min(len({row[0] for row in rows}), upto)

    def __call__(self, order, start: int, stop: int) -> list[int]:
        """The ids of rows start:stop in `order`, a total order of Task fields ending in the id:
        put in order from the values read with them, or by the database when it must (text)."""
        rows, terms = self._heads(order, stop) if stop > start else ([], None)
        if not rows:
            return []
        unique = list({row[0]: row for row in rows}.values())
        ordered = _in_order(unique, terms) if terms is not None else None
        if ordered is not None:
            return ordered[start:stop]
        ids = {row[0] for row in unique}
        return list(Task.objects.filter(pk__in=ids).order_by(*order).values_list("pk", flat=True)[start:stop])


INBOX_ORDER = (models.F("due_at").asc(nulls_last=True), "id")


def inbox_head(user, n: int) -> list[Task]:
    """The first n tasks of inbox_for(user), for a glance (the 工作台): the first n of each branch
    (_inbox_heads) with their due times, the first n of those put in order, then their rows by id.
    Two queries. The glance shows each task's own title, step, link and due time, so nothing is
    joined."""
    rows, terms = _inbox_heads_with_order(user, INBOX_ORDER, n)
    ids = _in_order(list({row[0]: row for row in rows}.values()), terms)[:n]
    found = rows_by_id(Task.objects.all(), ids)
    return [found[pk] for pk in ids if pk in found]


def inbox_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Task.objects.filter(_waiting_on(user)).count()


def _can_act_self(user, task: Task, *, also_claimed_by=None) -> bool:
    if task.state != Task.State.OPEN or task.exclude_user_id == user.pk:
        return False
    if task.waits_for_id is not None and task.waits_for.state == Task.State.OPEN:
        return False  # 加签: another signer comes first
    if task.assignee_id is not None:
        return task.assignee_id == user.pk
    claimers = {None, user.pk} | ({also_claimed_by.pk} if also_claimed_by is not None else set())
    if task.claimed_by_id not in claimers:
        return False
    if not user.groups.filter(pk=task.group_id).exists():
        return False
    if task.department_id is not None and task.department_id != user.department_id:
        return False
    return task.region_id is None or task.region_id in _region_ids(user)


def acting_for(user, task: Task):
    """Whom the user would answer this step for: himself (returns the user), the delegator of a
    running delegation that covers it, or None when he may not act on it at all."""
    if not user.is_authenticated or task.state != Task.State.OPEN or task.exclude_user_id == user.pk:
        return None
    if _can_act_self(user, task):
        return user
    for delegation in active_delegations_to(user):
        if delegation.covers(task.step) and _can_act_self(delegation.delegator, task, also_claimed_by=user):
            return delegation.delegator
    return None


def task_can_act(user, task: Task) -> bool:
    return acting_for(user, task) is not None


def open_tasks_for(subject: models.Model) -> QuerySet[Task]:
    return Task.objects.filter(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        state=Task.State.OPEN,
    )


def tasks_closed_by(user) -> QuerySet[Task]:
    return (
        Task.objects.filter(closed_by=user, state=Task.State.DONE)
        .select_related("group", "region")
        .order_by("-closed_at", "-id")
    )


def reassign_candidates(task: Task):
    """Colleagues a task can be handed to: the same role, region and team."""
    from pmis.org.models import User
    from pmis.org.selectors import users_in_role

    if task.group_id is None:
        return User.objects.none()
    users = users_in_role(task.group.name, region=task.region)
    if task.department_id is not None:
        users = users.filter(department_id=task.department_id)
    return users.exclude(pk=task.exclude_user_id) if task.exclude_user_id else users


def record_involves(user, record: models.Model) -> bool:
    """The one check every record's can_view adds for the approval chain: a step of it waits on
    the user (himself or as a delegate), was answered by him, or he is copied on it (抄送)."""
    from .copies import is_copied

    if not user.is_authenticated:
        return False
    tasks = Task.objects.filter(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
    if tasks.filter(closed_by=user).exists():
        return True
    if any(task_can_act(user, task) for task in tasks.filter(state=Task.State.OPEN)):
        return True
    return is_copied(user, record)
