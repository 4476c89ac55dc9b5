"""What each person may see of customer success's records, and the figures of a department's page."""

from datetime import datetime

from django.conf import settings
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


def department_figures(
    groups: tuple[str, ...], *, steps: tuple[str, ...] = (), now: datetime | None = None
) -> dict[str, int | str]:
    """A department's figures from the inbox table: 等待 = the open steps waiting on its role
    groups; 超时 = those past their due time; 本月完成 = its steps done since the 1st of this month.
    Three counts in one statement, each read from an index alone (task_open_by_group,
    task_done_by_group) and counted no further than PMIS_FIGURE_COUNT_LIMIT ("9999+" past it),
    so that the page costs the same whatever the size of the queue. `steps`: only these kinds of
    step (a department's own among its roles' others), read from the step's indexes instead."""
    now = now or timezone.now()
    tasks = Task.objects.filter(group_id__in=reference.group_ids(groups))
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


def figures_formula() -> str:
    limit = settings.PMIS_FIGURE_COUNT_LIMIT
    return (
        "等待：等待本部门处理的待办数；超时：其中已过办理时限的；本月完成：本月 1 日起本部门办结的待办数"
        f"（超过 {limit} 条显示为 {limit}+）"
    )
