"""The inbox of waiting work: open, claim, release, reassign, close, cancel, and the SLA sweep."""

from datetime import datetime

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from pmis import reference
from pmis.audit.services import audit_on_behalf, audit_record
from pmis.layout import layout_forget, with_delegates
from pmis.notify.services import notify
from pmis.org.models import Department, Region, User
from pmis.org.selectors import users_in_role
from pmis.worktime.calendar import add_duration
from pmis.worktime.models import SlaPolicy

from .copies import copies_tell_outcome
from .errors import AlreadyDecided, DomainError
from .models import Sequence, Task
from .routing import route
from .selectors import acting_for, task_can_act

DEFAULT_POLICY = "approval-step"


def _deadlines(policy: SlaPolicy | None, start: datetime) -> tuple[datetime | None, datetime | None]:
    if policy is None:
        return None, None
    due = add_duration(start, policy.duration, policy.clock)
    warn = add_duration(start, policy.duration * policy.warn_percent / 100, policy.clock)
    return due, warn


def waiting_users(task: Task, *, cache: dict | None = None) -> list[User]:
    """Who is waiting to act on a task: its assignee or claimer, else its group in its region
    (and team). A sweep passes a cache so that a thousand tasks of one group cost one query."""
    if task.assignee_id:
        return [task.assignee]
    if task.claimed_by_id:
        return [task.claimed_by]
    key = (task.group_id, task.region_id, task.department_id)
    members = cache.get(key) if cache is not None else None
    if members is None:
        users = users_in_role(task.group.name, region=task.region)
        if task.department_id is not None:
            users = users.filter(department_id=task.department_id)
        members = list(users)
        if cache is not None:
            cache[key] = members
    return [u for u in members if u.pk != task.exclude_user_id]


@transaction.atomic
def task_open(
    *,
    subject: models.Model,
    step: str,
    step_label: str,
    title: str,
    link: str,
    group: str | Group | None = None,
    region: Region | None = None,
    department: Department | None = None,
    assignee: User | None = None,
    exclude_user: User | None = None,
    policy: str | SlaPolicy | None = DEFAULT_POLICY,
    escalate_to: str | Group | None = None,
    notify_waiting: bool = True,
    route_region: Region | None = None,
) -> Task:
    """Open a waiting step and tell the people it waits on. A step never waits on nobody: when
    no one but the excluded requester could act on it, it goes one level up (approvals.routing;
    `route_region` is the record's region for a role one level up that is region-scoped)."""
    if group is None and assignee is None:
        raise ValueError("待办必须指定等待的角色或处理人")
    if isinstance(group, str):
        group = Group.objects.get(name=group)
    routed = route(
        group=group,
        region=region,
        department=department,
        assignee=assignee,
        exclude_user=exclude_user,
        route_region=route_region,
        step_label=step_label,
    )
    group, region, department, assignee = routed.group, routed.region, routed.department, routed.assignee
    if isinstance(escalate_to, str):
        escalate_to = Group.objects.get(name=escalate_to)
    if isinstance(policy, str):
        policy = reference.policy(policy)
    now = timezone.now()
    due_at, warn_at = _deadlines(policy, now)
    task = Task.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=subject.pk,
        step=step,
        step_label=step_label,
        title=title[:200],
        link=link,
        group=group,
        region=region,
        department=department,
        assignee=assignee,
        exclude_user=exclude_user,
        policy=policy,
        due_at=due_at,
        warn_at=warn_at,
        escalate_to=escalate_to,
        routing_note=routed.note,
    )
    if routed.note:
        audit_record(subject=task, action="task.route_up", label="环节上移", actor=None, comment=routed.note)
    if notify_waiting:
        due_text = f"，请于 {timezone.localtime(due_at):%Y-%m-%d %H:%M} 前处理" if due_at else ""
        routed_text = f"（{routed.note}）" if routed.note else ""
        from .links import links_text
        from .robots import robots_tell_task

        body = f"{task.title} 等待您处理（{task.step_label}）{due_text}。{routed_text}"
        recipients = waiting_users(task)
        robots_tell_task(task, recipients)
        for user in recipients:
            # each recipient's own signed 通过 / 退回 links (approvals.links)
            notify(
                recipients=[user],
                title=f"新的待办：{task.step_label} · {task.title}",
                body=body + links_text(task, user),
                link=link,
                subject=subject,
                kind="task_opened",
            )
    return task


def next_number(prefix: str) -> str:
    """The next number of a series, e.g. SD2026-00001. Call inside the transaction that uses it:
    the sequence row stays locked until then, so two submissions never share a number."""
    year = timezone.localdate().year
    Sequence.objects.get_or_create(prefix=prefix, year=year)
    sequence = Sequence.objects.select_for_update().get(prefix=prefix, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{prefix}{year}-{sequence.last:05d}"


def _locked(task: Task) -> Task:
    return Task.objects.select_for_update(of=("self",)).get(pk=task.pk)


@transaction.atomic
def task_claim(*, task: Task, actor: User) -> Task:
    task = _locked(task)
    if task.claimed_by_id == actor.pk:
        return task
    if not task_can_act(actor, task):
        raise PermissionDenied("您不能认领该待办（已被他人认领、已处理或不在您的职责范围内）")
    task.claimed_by, task.claimed_at = actor, timezone.now()
    task.save(update_fields=["claimed_by", "claimed_at"])
    audit_record(subject=task, action="task.claim", label="认领待办", actor=actor)
    return task


@transaction.atomic
def task_release(*, task: Task, actor: User) -> Task:
    task = _locked(task)
    if task.claimed_by_id != actor.pk:
        raise PermissionDenied("只有认领人可以释放该待办")
    task.claimed_by, task.claimed_at = None, None
    task.save(update_fields=["claimed_by", "claimed_at"])
    audit_record(subject=task, action="task.release", label="释放待办", actor=actor)
    return task


@transaction.atomic
def task_reassign(*, task: Task, actor: User, to_user: User, reason: str) -> Task:
    """Hand a task to a named colleague of the same role (and region)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("转交必须填写原因")
    task = _locked(task)
    if not (actor.is_superuser or task_can_act(actor, task)):
        raise PermissionDenied("您无权转交该待办")
    if to_user.pk == task.exclude_user_id:
        raise DomainError("不能转交给申请人本人")
    if task.group_id is not None:
        eligible = users_in_role(task.group.name, region=task.region).filter(pk=to_user.pk)
        if task.department_id is not None:
            eligible = eligible.filter(department_id=task.department_id)
        if not eligible.exists():
            raise DomainError(f"{to_user} 不属于“{task.group.name}”角色或不负责该区域，不能转交")
    _hand_to(task, to_user, claimed=True, action="task.reassign", label="转交待办", actor=actor, reason=reason)
    notify(
        recipients=[to_user],
        title=f"待办转交给您：{task.step_label} · {task.title}",
        body=f"{actor} 将待办转交给您，原因：{reason}",
        link=task.link,
        subject=task,
        kind="task_reassigned",
    )
    return task


def task_redirect(*, task: Task, to_user: User, actor: User | None, reason: str) -> Task:
    """Give an open step to another person because the one it waited on can no longer act on it
    (e.g. he has left the project team). Called inside the service that decided so and checked
    its own permission; audited on the task."""
    task = _locked(task)
    _hand_to(task, to_user, claimed=False, action="task.redirect", label="待办改由他人处理", actor=actor, reason=reason)
    return task


def _hand_to(task: Task, to_user: User, *, claimed: bool, action: str, label: str, actor, reason: str) -> None:
    """Make a locked task wait on `to_user` (already claimed by them when they chose it), audited
    with who it waited on before."""
    previous = task.assignee or task.claimed_by
    task.assignee = to_user
    task.claimed_by, task.claimed_at = (to_user, timezone.now()) if claimed else (None, None)
    task.save(update_fields=["assignee", "claimed_by", "claimed_at"])
    if previous is not None:  # the save forgets whom it waits on now; this, whom it waited on before
        layout_forget(with_delegates([previous.pk]))
    audit_record(
        subject=task,
        action=action,
        label=label,
        actor=actor,
        comment=reason,
        details={"from_user": previous.pk if previous else None, "to_user": to_user.pk},
    )


def task_close(*, task: Task, actor: User | None, outcome: str) -> Task:
    """Close the step a decision answers. Called inside the deciding service's transaction; the
    row lock makes a second decision of the same step fail with AlreadyDecided."""
    task = _locked(task)
    if task.state != Task.State.OPEN:
        raise AlreadyDecided("该环节已被他人处理，请刷新页面查看最新状态")
    principal = acting_for(actor, task) if actor is not None else None
    task.close(by=actor, outcome=outcome, at=timezone.now())
    fields = ["state", "closed_by", "outcome", "closed_at"]
    if principal is not None and principal.pk != actor.pk:
        # 代理审批: the record's own audit row, written next by the deciding service, says so too
        task.on_behalf_of = principal
        fields.append("on_behalf_of")
        audit_on_behalf(actor=actor, subject=task.subject, principal=principal)
    task.save(update_fields=fields)
    _mark_notices_read(task)
    copies_tell_outcome(task=task)
    return task


def tasks_cancel_for(*, subject: models.Model, actor: User | None) -> int:
    """Cancel every open task of a record (withdrawn, rejected, superseded)."""
    tasks = Task.objects.select_for_update(of=("self",)).filter(
        content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk, state=Task.State.OPEN
    )
    count = 0
    for task in tasks:
        task.cancel(by=actor, at=timezone.now())
        task.save(update_fields=["state", "closed_by", "outcome", "closed_at"])
        _mark_notices_read(task)
        count += 1
    return count


# Notifications that only say "this is waiting on you": once the step is done they are stale.
TASK_NOTICE_KINDS = (
    "task_opened",
    "task_reassigned",
    "sla_warning",
    "sla_escalation",
    "registration_return",
    "handover_returned",
    "customisation_declined",
    "product_request_returned",
    "ticket_assigned",
    "ticket_reopened",
    "cloud_order_returned",
)


def _mark_notices_read(task: Task) -> int:
    """A task done (or cancelled) marks read the unread "your turn" notices about it: those whose
    subject is the task, and those about its record sent to the people it waited on since it was
    opened. Notices sent before the task existed, or of other kinds, stay as they are."""
    from pmis.notify.models import Notification

    unread = Notification.objects.filter(read_at__isnull=True, kind__in=TASK_NOTICE_KINDS)
    about_task = models.Q(content_type=ContentType.objects.get_for_model(Task), object_id=task.pk)
    people = [u.pk for u in waiting_users(task)]
    if task.closed_by_id:
        people.append(task.closed_by_id)
    about_record = models.Q(
        content_type_id=task.content_type_id,
        object_id=task.object_id,
        recipient_id__in=people,
        created_at__gte=task.created_at,
    )
    stale = unread.filter(about_task | about_record)
    layout_forget(stale.values_list("recipient_id", flat=True).distinct())  # their bells
    return stale.update(read_at=timezone.now())


# ---------------------------------------------------------------------------------------------
# SLA sweep: approvals.sweep (set-based, one digest per person)

from .sweep import sweep_candidates, tasks_sweep  # noqa: E402

__all__ = ["sweep_candidates", "tasks_sweep"]
