from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet

from pmis.org.selectors import user_regions

from .models import Task


def _region_ids(user) -> list[int]:
    cached = getattr(user, "_pmis_region_ids", None)
    if cached is None:
        cached = list(user_regions(user).values_list("pk", flat=True))
        user._pmis_region_ids = cached
    return cached


def _waiting_on(user) -> Q:
    """Open tasks this user may act on: assigned to them, or waiting on one of their groups in
    one of their regions (or region-free), in their team when the task names one, and not
    claimed by somebody else; never a task they must keep out of (their own request)."""
    group_ids = user.groups.values("pk")
    by_group = (
        Q(assignee__isnull=True)
        & Q(group__in=group_ids)
        & (Q(region__isnull=True) | Q(region__in=_region_ids(user)))
        & (Q(department__isnull=True) | Q(department=user.department_id))
        & (Q(claimed_by__isnull=True) | Q(claimed_by=user))
    )
    return Q(state=Task.State.OPEN) & (Q(assignee=user) | by_group) & ~Q(exclude_user=user)


def inbox_for(user) -> QuerySet[Task]:
    """A user's inbox, soonest due first. Two queries whatever its size: the user's regions,
    then the page (plus one count when paginated)."""
    if not user.is_authenticated:
        return Task.objects.none()
    return (
        Task.objects.filter(_waiting_on(user))
        .select_related("group", "region", "claimed_by", "assignee")
        .order_by(models.F("due_at").asc(nulls_last=True), "id")
    )


def inbox_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Task.objects.filter(_waiting_on(user)).count()


def task_can_act(user, task: Task) -> bool:
    if not user.is_authenticated or task.state != Task.State.OPEN or task.exclude_user_id == user.pk:
        return False
    if task.assignee_id is not None:
        return task.assignee_id == user.pk
    if task.claimed_by_id not in (None, user.pk):
        return False
    if not user.groups.filter(pk=task.group_id).exists():
        return False
    if task.department_id is not None and task.department_id != user.department_id:
        return False
    return task.region_id is None or task.region_id in _region_ids(user)


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
