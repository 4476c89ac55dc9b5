"""The milestone plan (003 规划交付进度; 004 §3): items and milestones with finish-to-start
predecessors, owners on each side, status and actual dates, counted on the working calendar.

Moving an item's end moves everything that depends on it, directly or further down, by the same
number of working days; a dependant that would then start before its predecessor ends is pushed to
the first working day after. A baseline is kept when the plan is refreshed at project start."""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import date

from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from approvals.errors import DomainError
from pmis.audit.services import audit_record
from pmis.notify.services import notify_once
from pmis.org.selectors import users_in_role
from projects.models import ACTIVE_STATES, Project
from projects.workspace import tab_url

from .access import require_edit
from .models import PlanItem
from .workdays import Workdays

EDITABLE = (
    "name",
    "group",
    "kind",
    "planned_start",
    "planned_end",
    "status",
    "owner",
    "customer_owner",
    "supplier_owner",
    "actual_start",
    "actual_end",
)


def plan_items(project: Project) -> list[PlanItem]:
    """The plan in order, with owners and predecessors fetched in two queries."""
    return list(
        PlanItem.objects.filter(project=project)
        .select_related("owner")
        .prefetch_related("predecessors")
        .order_by("seq", "id")
    )


def is_late(item: PlanItem, today: date | None = None) -> bool:
    """延期: past its planned end with no actual end."""
    today = today or timezone.localdate()
    return item.actual_end is None and item.planned_end < today


def _edges(project: Project) -> dict[int, set[int]]:
    """item id -> ids of its predecessors."""
    through = PlanItem.predecessors.through
    edges: dict[int, set[int]] = defaultdict(set)
    for src, dst in through.objects.filter(from_planitem__project=project).values_list(
        "from_planitem_id", "to_planitem_id"
    ):
        edges[src].add(dst)
    return edges


def _ancestors(edges: dict[int, set[int]], start: int) -> set[int]:
    seen: set[int] = set()
    queue = deque([start])
    while queue:
        for pred in edges.get(queue.popleft(), ()):
            if pred not in seen:
                seen.add(pred)
                queue.append(pred)
    return seen


def _check_no_cycle(project: Project, item_id: int | None, predecessors: list[PlanItem]) -> None:
    if item_id is None:
        return
    edges = _edges(project)
    for pred in predecessors:
        if pred.pk == item_id:
            raise DomainError("前置任务不能是它自己")
        if item_id in _ancestors(edges, pred.pk):
            raise DomainError(f"「{pred.name}」已直接或间接依赖本任务，设为前置任务会形成循环依赖")


def _check_predecessors(project: Project, predecessors: list[PlanItem]) -> None:
    for pred in predecessors:
        if pred.project_id != project.pk:
            raise DomainError("前置任务必须是本项目计划中的任务")


def _check_dates(start: date | None, end: date | None, predecessors: list[PlanItem], days: Workdays) -> None:
    if start is None or end is None:
        raise DomainError("请填写计划开始和计划结束日期")
    if end < start:
        raise DomainError("计划结束日期不能早于计划开始日期")
    for pred in predecessors:
        if start <= pred.planned_end:
            raise DomainError(
                f"开始日期须晚于前置任务「{pred.name}」的结束日期（{pred.planned_end:%Y-%m-%d}），"
                f"最早可为 {days.after(pred.planned_end):%Y-%m-%d}"
            )


def _next_seq(project: Project) -> int:
    return (PlanItem.objects.filter(project=project).aggregate(m=Max("seq"))["m"] or 0) + 1


@transaction.atomic
def plan_item_add(
    *,
    project: Project,
    actor,
    name: str,
    planned_start: date,
    planned_end: date,
    predecessors: list[PlanItem] | QuerySet | None = None,
    kind: str = PlanItem.Kind.TASK,
    group: str = "",
    status: str = PlanItem.Status.PLANNED,
    owner=None,
    customer_owner: str = "",
    supplier_owner: str = "",
    actual_start: date | None = None,
    actual_end: date | None = None,
    seq: int | None = None,
) -> PlanItem:
    require_edit(actor, project)
    Project.objects.select_for_update().filter(pk=project.pk).first()  # one writer of a plan at a time
    predecessors = list(predecessors or [])
    if kind == PlanItem.Kind.MILESTONE and planned_end:
        planned_start = planned_end  # a milestone is a day
    if not name.strip():
        raise DomainError("请填写工作任务")
    _check_predecessors(project, predecessors)
    _check_dates(planned_start, planned_end, predecessors, Workdays())
    if seq is not None and PlanItem.objects.filter(project=project, seq=seq).exists():
        raise DomainError(f"编号 {seq} 已被使用")
    item = PlanItem.objects.create(
        project=project,
        seq=seq or _next_seq(project),
        name=name.strip(),
        group=group.strip(),
        kind=kind,
        planned_start=planned_start,
        planned_end=planned_end,
        status=status,
        owner=owner,
        customer_owner=customer_owner.strip(),
        supplier_owner=supplier_owner.strip(),
        actual_start=actual_start,
        actual_end=actual_end,
    )
    item.predecessors.set(predecessors)
    audit_record(
        subject=project,
        action="plan.item_add",
        label=f"计划新增「{item.name}」",
        actor=actor,
        details={"item": item.pk, "start": str(planned_start), "end": str(planned_end)},
    )
    return item


def _propagate(project: Project, moved: PlanItem, delta: int, days: Workdays) -> list[PlanItem]:
    """Shift every item downstream of `moved` by `delta` working days, then push any that would
    start before a predecessor's end. Returns the items that changed."""
    items = {i.pk: i for i in PlanItem.objects.select_for_update().filter(project=project)}
    items[moved.pk] = moved
    edges = _edges(project)
    dependants: dict[int, set[int]] = defaultdict(set)
    for src, preds in edges.items():
        for pred in preds:
            dependants[pred].add(src)
    downstream: set[int] = set()
    queue = deque([moved.pk])
    while queue:
        for dep in dependants.get(queue.popleft(), ()):
            if dep not in downstream:
                downstream.add(dep)
                queue.append(dep)
    changed: dict[int, PlanItem] = {}
    for pk in downstream:
        item = items[pk]
        if item.actual_start is not None or delta == 0:
            continue  # work that has started stays where it happened
        length = days.count(item.planned_start, item.planned_end)
        item.planned_start = days.shift(item.planned_start, delta)
        item.planned_end = days.span(item.planned_start, length)
        changed[pk] = item
    # finish-to-start, in dependency order: the downstream items only
    order = _topological([pk for pk in items], edges)
    for pk in order:
        if pk not in downstream or items[pk].actual_start is not None:
            continue
        item = items[pk]
        preds = [items[p] for p in edges.get(pk, ())]
        if not preds:
            continue
        earliest = days.after(max(p.planned_end for p in preds))
        if item.planned_start < earliest:
            length = days.count(item.planned_start, item.planned_end)
            item.planned_start = earliest
            item.planned_end = days.span(earliest, length)
            changed[pk] = item
    for item in changed.values():
        item.save(update_fields=["planned_start", "planned_end", "updated_at"])
    return list(changed.values())


def _topological(ids: list[int], edges: dict[int, set[int]]) -> list[int]:
    indegree = {pk: len([p for p in edges.get(pk, ()) if p in ids]) for pk in ids}
    dependants: dict[int, list[int]] = defaultdict(list)
    for pk in ids:
        for pred in edges.get(pk, ()):
            dependants[pred].append(pk)
    queue = deque(sorted(pk for pk, n in indegree.items() if n == 0))
    order = []
    while queue:
        pk = queue.popleft()
        order.append(pk)
        for dep in dependants.get(pk, ()):
            indegree[dep] -= 1
            if indegree[dep] == 0:
                queue.append(dep)
    return order


@transaction.atomic
def plan_item_update(*, item: PlanItem, actor, predecessors: list[PlanItem] | QuerySet | None = None, **fields):
    """Change an item; a new planned end moves its dependants by the same working days.
    Returns (item, [dependants that moved])."""
    project = item.project
    require_edit(actor, project)
    Project.objects.select_for_update().filter(pk=project.pk).first()
    item = PlanItem.objects.select_for_update().get(pk=item.pk)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"unknown plan fields: {unknown}")
    before = {name: getattr(item, name) for name in fields}
    old_end = item.planned_end
    for name, value in fields.items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    if not item.name:
        raise DomainError("请填写工作任务")
    if item.kind == PlanItem.Kind.MILESTONE and item.planned_end:
        item.planned_start = item.planned_end
    preds = list(item.predecessors.all()) if predecessors is None else list(predecessors)
    _check_predecessors(project, preds)
    _check_no_cycle(project, item.pk, preds)
    days = Workdays()
    _check_dates(item.planned_start, item.planned_end, preds, days)
    if item.actual_end and item.actual_start and item.actual_end < item.actual_start:
        raise DomainError("实际完成日期不能早于实际开始日期")
    if item.actual_end and item.status != PlanItem.Status.DONE:
        item.status = PlanItem.Status.DONE
    item.save()
    if predecessors is not None:
        item.predecessors.set(preds)
    moved = (
        _propagate(project, item, days.delta(old_end, item.planned_end), days) if old_end != item.planned_end else []
    )
    changes = {k: [str(v), str(getattr(item, k))] for k, v in before.items() if v != getattr(item, k)}
    audit_record(
        subject=project,
        action="plan.item_update",
        label=f"计划修改「{item.name}」" + (f"，后续 {len(moved)} 项顺延" if moved else ""),
        actor=actor,
        details={"item": item.pk, "changes": changes, "moved": [m.pk for m in moved]},
    )
    return item, moved


@transaction.atomic
def plan_item_delete(*, item: PlanItem, actor) -> None:
    project = item.project
    require_edit(actor, project)
    if item.dependants.exists():
        names = "、".join(d.name for d in item.dependants.all()[:3])
        raise DomainError(f"「{item.name}」是「{names}」的前置任务，请先调整这些任务的前置任务")
    name = item.name
    item.delete()
    audit_record(subject=project, action="plan.item_delete", label=f"计划删除「{name}」", actor=actor)


@transaction.atomic
def plan_baseline_set(*, project: Project, actor, reason: str = "") -> int:
    """Keep the current dates as the baseline. The first baseline is set when the plan is
    refreshed at project start; setting it again (re-baselining) needs a reason."""
    require_edit(actor, project)
    items = PlanItem.objects.select_for_update().filter(project=project)
    if not items.exists():
        raise DomainError("计划中还没有任务，无法设定基线")
    again = items.filter(baseline_start__isnull=False).exists()
    if again and not reason.strip():
        raise DomainError("重新设定基线须填写原因")
    count = 0
    for item in items:
        item.baseline_start, item.baseline_end = item.planned_start, item.planned_end
        item.save(update_fields=["baseline_start", "baseline_end", "updated_at"])
        count += 1
    audit_record(
        subject=project,
        action="plan.rebaseline" if again else "plan.baseline",
        label="重新设定计划基线" if again else "设定计划基线",
        actor=actor,
        comment=reason.strip(),
        details={"items": count},
    )
    return count


# ---------------------------------------------------------------------------------------------
# 延期: told once to the PM, the 项目总监 and whoever the matrix names for the schedule

LATE_JOB = "plan_item_late"
SCHEDULE_ACTIVITY = "schedule-control"  # the matrix activity whose A and R hear about the schedule


def late_items(today: date | None = None) -> QuerySet[PlanItem]:
    today = today or timezone.localdate()
    return PlanItem.objects.filter(
        actual_end__isnull=True, planned_end__lt=today, project__state__in=ACTIVE_STATES
    ).select_related("project__pm", "owner")


def plan_late_notify(*, today: date | None = None) -> int:
    """Tell the PM, the directors and the matrix's A and R of the schedule about each late item,
    once per item and planned end (moving the end and missing it again tells them again)."""
    from .raci import raci_recipients

    today = today or timezone.localdate()
    directors = list(users_in_role("project_director"))
    sent = 0
    with transaction.atomic():
        for item in late_items(today).order_by("project_id", "seq"):
            project = item.project
            recipients = [project.pm, item.owner, *directors, *raci_recipients(project, SCHEDULE_ACTIVITY)]
            sent += len(
                notify_once(
                    job=LATE_JOB,
                    period=item.planned_end.isoformat(),
                    recipients=recipients,
                    subject=item,
                    title=f"计划延期：{project.name}「{item.name}」",
                    body=f"计划 {item.planned_end:%Y-%m-%d} 完成，至今未完成（{(today - item.planned_end).days} 天）。",
                    link=tab_url(project, "plan"),
                    kind="plan_late",
                )
            )
    return sent
