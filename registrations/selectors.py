from datetime import datetime
from functools import partial
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf

from approvals.models import Task
from approvals.selectors import InboxIds, inbox_for, record_involves, tasks_closed_by
from pmis import statements
from pmis.audit.models import AuditEntry
from pmis.audit.selectors import audit_for
from pmis.lists import rows_by_id
from pmis.org.selectors import user_role_codes
from pmis.statements import kept
from pmis.visibility import Reason, any_of

from .models import Registration, State


class WaitingStep(NamedTuple):
    """Where a registration waits: one open step, as 我的登记 shows it."""

    registration_id: int
    step_label: str
    assignee: str  # the person it is assigned to ("" when it waits on a role)
    role: str  # the role group's code
    region: str
    due_at: datetime | None
    routing_note: str


def _waiting_steps(ids) -> QuerySet:
    return (
        Task.objects.filter(
            content_type=ContentType.objects.get_for_model(Registration), state=Task.State.OPEN, object_id__in=ids
        )
        .annotate(who=Coalesce(NullIf("assignee__display_name", Value("")), "assignee__username", Value("")))
        .values_list("object_id", "step_label", "who", "group__name", "region__name", "due_at", "routing_note")
    )


def attach_waiting(registrations) -> list[Registration]:
    """Give each registration of a page its open steps (`open_tasks`, WaitingStep rows) in one
    statement kept compiled (pmis/statements.py): the steps' joins cost more to compile than to run."""
    registrations = list(registrations)
    ids = [r.pk for r in registrations]
    rows = ()
    if ids:
        statement = kept(("registration-waiting-steps",), lambda: _waiting_steps([statements.IDS]))
        rows = statement.run(ids=ids) if statement is not None else _waiting_steps(ids)
    waiting: dict[int, list[WaitingStep]] = {}
    for object_id, label, who, role, region, due_at, note in rows:
        waiting.setdefault(object_id, []).append(
            WaitingStep(object_id, label, who, role or "", region or "", due_at, note)
        )
    for registration in registrations:
        registration.open_tasks = waiting.get(registration.pk, [])
    return registrations


def registrations_of(user, *, team: bool = False) -> QuerySet[Registration]:
    """我的登记: the user's own registrations, or (a sales manager's view) their team's."""
    if team:
        if "sales_manager" not in user_role_codes(user) or user.department_id is None:
            return Registration.objects.none()
        mine = Q(owner__department_id=user.department_id)
    else:
        mine = Q(owner=user) | Q(presales=user)
    return Registration.objects.filter(mine).select_related("region", "owner").order_by("-created_at", "-id")


def registration_can_view(user, registration: Registration) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.pk in (registration.owner_id, registration.presales_id):
        return True
    if (
        "sales_manager" in user_role_codes(user)
        and user.department_id is not None
        and registration.owner.department_id == user.department_id
    ):
        return True
    if record_involves(user, registration):
        return True
    # the team of a project initiated from it (or tracking it) reads it, with the solution attached
    return registration_projects(user, registration).exists()


def registration_projects(user, registration: Registration):
    """The projects a registration led to that this user may open: the project initiated from it,
    or, for an upgrade without a new contract, the parent project that tracks it."""
    from projects.selectors import projects_visible

    tracked = Q(registration=registration) | Q(requirements__registration=registration)
    return projects_visible(user).filter(tracked).distinct().order_by("pk")


def registration_can_attach(user, registration: Registration) -> bool:
    return user.pk in (registration.owner_id, registration.presales_id) and registration.state in (
        "draft",
        "returned",
    )


def _registration_tasks(tasks: QuerySet[Task], *, kind: str = "", region=None, since=None, until=None):
    registrations = Registration.objects.all()
    if kind:
        registrations = registrations.filter(kind=kind)
    if region is not None:
        registrations = registrations.filter(region=region)
    tasks = tasks.filter(content_type=ContentType.objects.get_for_model(Registration))
    if kind or region is not None:
        tasks = tasks.filter(object_id__in=registrations.values("pk"))
    if since:
        tasks = tasks.filter(created_at__date__gte=since)
    if until:
        tasks = tasks.filter(created_at__date__lte=until)
    return tasks


def queue_waiting(user, **filters) -> QuerySet[Task]:
    """Registration steps waiting on this user, soonest due first."""
    return _registration_tasks(inbox_for(user), **filters)


def queue_waiting_page_ids(user, **filters):
    """The page reader of queue_waiting (pmis.lists.list_result's page_ids): the inbox's branches,
    each narrowed to registration steps and the filters."""
    named = tuple(sorted((name, getattr(value, "pk", value)) for name, value in filters.items()))
    narrow = partial(_registration_tasks, **filters)
    return InboxIds(user, narrow=narrow, narrow_key=("registrations", named))


def queue_decided(user, **filters) -> QuerySet[Task]:
    # the queue shows the step and its registration (attach_registrations), not who else it was for
    return _registration_tasks(tasks_closed_by(user).select_related(None), **filters)


def attach_registrations(tasks) -> list[Task]:
    """Give each task of a page its registration, in one query (a statement kept compiled, and
    prepared on a kept connection: pmis.lists.rows_by_id)."""
    tasks = list(tasks)
    by_id = rows_by_id(Registration.objects.select_related("owner", "region"), [t.object_id for t in tasks])
    for task in tasks:
        task.record = by_id.get(task.object_id)
    return tasks


# The decisions taken at a step of the chain. Creating, submitting, withdrawing are the owner's own
# acts and the outsourcing note is the business department's follow-up: none is an approval.
APPROVAL_ACTIONS = ("registration.approve", "registration.return", "registration.reject")


def approval_record(registration: Registration) -> QuerySet[AuditEntry]:
    """The approval steps a registration went through, oldest first, each with its approver."""
    return audit_for(registration).filter(action__in=APPROVAL_ACTIONS)


def registrations_visible(user) -> QuerySet[Registration]:
    """Every registration `registration_can_view` lets the user open, as one queryset (for the
    search box): their own, their team's (a sales manager), the ones waiting on them or decided
    by them, and the 立项依据 of the projects they may see (or the upgrades those projects track)."""
    reasons = registration_visibility(user)
    if reasons is None:
        return Registration.objects.all()
    return Registration.objects.filter(any_of(reasons))


def registration_visibility(user) -> list[Reason] | None:
    """The reasons of registrations_visible (None: he sees them all), for the search
    (pmis/visibility.py)."""
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return None
    from projects.models import RequirementItem
    from projects.selectors import projects_visible

    ct = ContentType.objects.get_for_model(Registration)
    own = Q(owner=user) | Q(presales=user)
    if "sales_manager" in user_role_codes(user) and user.department_id is not None:
        own |= Q(owner__department_id=user.department_id)
    projects = projects_visible(user)
    return [
        Reason(own),
        Reason(rows=Task.objects.filter(content_type=ct, closed_by=user), column="object_id"),
        Reason(rows=inbox_for(user).filter(content_type=ct), column="object_id"),
        Reason(rows=projects.filter(registration__isnull=False), column="registration_id"),
        # an upgrade without a new contract is tracked as a requirement item of its parent project
        Reason(
            rows=RequirementItem.objects.filter(project__in=projects, registration__isnull=False),
            column="registration_id",
        ),
    ]


def last_return(registration: Registration):
    """The audit row of the latest return (who, when, why) while the registration is returned."""
    if registration.state != State.RETURNED:
        return None
    return (
        audit_for(registration)
        .filter(action="registration.return")
        .select_related("actor")
        .order_by("-at", "-id")
        .first()
    )
