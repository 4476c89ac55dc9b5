"""催办: the applicant urges a step that keeps him waiting. At most once per the interval of the
policy row `approval-urge-interval` (an admin edits it); it tells the people the step waits on,
and the record's history shows it."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from pmis import reference
from pmis.audit.services import audit_record
from pmis.notify.services import notify
from pmis.org.models import User

from .copies import record_applicants
from .errors import DomainError
from .models import Delegation, Task

URGE_POLICY = "approval-urge-interval"


def urge_interval_hours() -> float:
    policy = reference.policy(URGE_POLICY)
    return policy.duration_minutes / 60 if policy else 4


def task_can_urge(user, task: Task) -> bool:
    if not user.is_authenticated or task.state != Task.State.OPEN:
        return False
    return task.exclude_user_id == user.pk or user.pk in record_applicants(task.subject)


def _with_delegates(users: list[User]) -> list[User]:
    today = timezone.localdate()
    delegates = Delegation.objects.filter(
        delegator__in=users, starts_on__lte=today, ends_on__gte=today, cancelled_at__isnull=True
    ).select_related("delegate")
    return users + [d.delegate for d in delegates]


@transaction.atomic
def task_urge(*, task: Task, actor: User, note: str = "") -> Task:
    from .services import _locked, waiting_users

    task = _locked(task)
    if task.state != Task.State.OPEN:
        raise DomainError("该环节已处理，无需催办")
    if not task_can_urge(actor, task):
        raise PermissionDenied("只有申请人可以催办该环节")
    now = timezone.now()
    hours = urge_interval_hours()
    if task.urged_at is not None and (now - task.urged_at).total_seconds() < hours * 3600:
        again = timezone.localtime(task.urged_at + timedelta(hours=hours))
        raise DomainError(
            f"已于 {timezone.localtime(task.urged_at):%m-%d %H:%M} 催办过，"
            f"{hours:g} 小时内只能催办一次，{again:%m-%d %H:%M} 后可再次催办"
        )
    task.urged_at = now
    task.save(update_fields=["urged_at"])
    recipients = _with_delegates(waiting_users(task))
    names = "、".join(str(u) for u in recipients)
    note = (note or "").strip()[:200]
    audit_record(
        subject=task.subject,
        action="task.urge",
        label=f"催办：{task.step_label}",
        actor=actor,
        comment=note,
        details={"task": task.pk, "to": [u.pk for u in recipients], "names": names},
    )
    notify(
        recipients=recipients,
        title=f"催办：{task.step_label} · {task.title}",
        body=f"{actor} 催办该环节，请尽快处理{('：' + note) if note else '。'}",
        link=task.link,
        subject=task,
        kind="task_urged",
    )
    return task
