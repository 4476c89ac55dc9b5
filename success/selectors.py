"""What each person may see of customer success's records, and the figures of a department's page."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from approvals.models import Task
from pmis import reference
from pmis.compound import counts
from pmis.layout import badge
from projects.selectors import projects_visible

from .models import CloudOrder, Licence, ServiceRequest
from .services.common import CS_ROLES, REGISTER_READERS, roles_of


def orders_visible(user) -> QuerySet[CloudOrder]:
    if not user.is_authenticated:
        return CloudOrder.objects.none()
    rows = CloudOrder.objects.select_related("project", "filed_by").prefetch_related("items__product")
    if user.is_superuser or roles_of(user) & REGISTER_READERS:
        return rows
    return rows.filter(Q(filed_by=user) | Q(project__in=projects_visible(user)))


def requests_visible(user) -> QuerySet[ServiceRequest]:
    if not user.is_authenticated:
        return ServiceRequest.objects.none()
    rows = ServiceRequest.objects.select_related("project", "handler", "filed_by")
    if user.is_superuser or roles_of(user) & CS_ROLES:
        return rows
    return rows.filter(Q(filed_by=user) | Q(project__in=projects_visible(user)))


def licences_visible(user) -> QuerySet[Licence]:
    if not user.is_authenticated:
        return Licence.objects.none()
    rows = Licence.objects.select_related("project", "product", "file")
    if user.is_superuser or roles_of(user) & REGISTER_READERS:
        return rows
    return rows.filter(project__in=projects_visible(user))


def month_start(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


# A department's figures, kept between views (in the layout's cache) until a step of one of its
# role groups is opened, handed on or closed, and at most PMIS_DEPARTMENT_FIGURES_SECONDS (超时
# moves with the clock alone). A change marks its group with the time it was committed.
FIGURES_KEY = "pmis:department-figures:v1:{groups}:{steps}"
GROUP_CHANGED_KEY = "pmis:group-tasks-changed:{group_id}"
# the fields of a step whose change moves a figure (a warning stamp or an escalation does not)
FIGURE_FIELDS = frozenset({"state", "group", "due_at", "closed_at", "step"})


def department_figures(
    groups: tuple[str, ...], *, steps: tuple[str, ...] = (), now: datetime | None = None
) -> dict[str, int | str]:
    """A department's figures from the inbox table: 等待 = the open steps waiting on its role
    groups; 超时 = those past their due time; 本月完成 = its steps done since the 1st of this month.
    Three counts in one statement, each read from an index alone (task_open_by_group,
    task_done_by_group) and counted no further than PMIS_FIGURE_COUNT_LIMIT ("9999+" past it),
    so that the page costs the same whatever the size of the queue. `steps`: only these kinds of
    step (a department's own among its roles' others), read from the step's indexes instead.
    Kept until one of the groups' steps changes (see FIGURES_KEY)."""
    now = now or timezone.now()
    group_ids = reference.group_ids(groups)
    store = caches[settings.PMIS_LAYOUT_CACHE]
    key = FIGURES_KEY.format(groups=",".join(map(str, sorted(group_ids))), steps=",".join(steps))
    marks = [GROUP_CHANGED_KEY.format(group_id=group_id) for group_id in group_ids]
    kept = store.get_many([key, *marks])
    entry = kept.get(key)
    if entry is not None and _still_right(entry, [kept[mark] for mark in marks if mark in kept], now):
        return entry["figures"]
    figures = _department_counts(group_ids, steps, now)
    store.set(key, {"figures": figures, "counted_at": now}, settings.PMIS_DEPARTMENT_FIGURES_SECONDS)
    return figures


def _still_right(entry: dict, changes: list[datetime], now: datetime) -> bool:
    counted = entry["counted_at"]
    fresh = counted <= now < counted + timedelta(seconds=settings.PMIS_DEPARTMENT_FIGURES_SECONDS)
    same_month = month_start(counted) == month_start(now)  # 本月完成 starts again on the 1st
    return fresh and same_month and all(changed < counted for changed in changes)


def _department_counts(group_ids: list[int], steps: tuple[str, ...], now: datetime) -> dict[str, int | str]:
    tasks = Task.objects.filter(group_id__in=group_ids)
    if steps:
        tasks = tasks.filter(step__in=steps)
    open_tasks = tasks.filter(state=Task.State.OPEN)
    limit = settings.PMIS_FIGURE_COUNT_LIMIT
    figures = counts(
        limit=limit,
        waiting=open_tasks,
        overdue=open_tasks.filter(due_at__lte=now),
        done_month=tasks.filter(state=Task.State.DONE, closed_at__gte=month_start(now)),
    )
    return {name: badge(value, limit) for name, value in figures.items()}


def figures_changed(task, update_fields=None) -> None:
    """A step was saved: once committed, its group's department figures are counted again."""
    if task.group_id is None or (update_fields is not None and not (FIGURE_FIELDS & set(update_fields))):
        return
    key = GROUP_CHANGED_KEY.format(group_id=task.group_id)
    store = caches[settings.PMIS_LAYOUT_CACHE]
    transaction.on_commit(lambda: store.set(key, timezone.now(), settings.PMIS_DEPARTMENT_FIGURES_SECONDS * 2))


def figures_formula() -> str:
    limit = settings.PMIS_FIGURE_COUNT_LIMIT
    return (
        "等待：等待本部门处理的待办数；超时：其中已过办理时限的；本月完成：本月 1 日起本部门办结的待办数"
        f"（超过 {limit} 条显示为 {limit}+；待办一有变化即重新统计，超时数至多 "
        f"{settings.PMIS_DEPARTMENT_FIGURES_SECONDS} 秒更新一次）"
    )
