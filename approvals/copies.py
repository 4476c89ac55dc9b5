"""抄送 (CC): a chain or the applicant copies people on a record. They may then open the record
(`record_involves`, the one check every record's can_view asks) and are told how each of its
steps ends."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from pmis.audit.services import audit_record
from pmis.notify.services import notify
from pmis.org.models import User

from .errors import DomainError
from .models import OUTCOME_LABELS, CarbonCopy, Task


def record_applicants(record: models.Model) -> set[int]:
    """The people who asked for a record: those its steps keep out (nobody approves his own)."""
    ct = ContentType.objects.get_for_model(record)
    ids = Task.objects.filter(content_type=ct, object_id=record.pk, exclude_user__isnull=False).values_list(
        "exclude_user_id", flat=True
    )
    return set(ids)


def copies_can_add(user, record: models.Model) -> bool:
    """The applicant copies people on his request, and so does whoever a step of it waits on."""
    from .selectors import open_tasks_for, task_can_act

    if not user.is_authenticated:
        return False
    if user.is_superuser or user.pk in record_applicants(record):
        return True
    return any(task_can_act(user, task) for task in open_tasks_for(record))


@transaction.atomic
def copies_add(
    *, record: models.Model, users: Iterable[User], actor: User | None, title: str, link: str, note: str = ""
) -> list[CarbonCopy]:
    """Copy people on a record (a chain does it with actor=None). Each is told once; copying
    someone twice changes nothing."""
    if actor is not None and not copies_can_add(actor, record):
        raise PermissionDenied("只有申请人或当前审批人可以抄送该记录")
    ct = ContentType.objects.get_for_model(record)
    added = []
    for user in users:
        if not user.is_active:
            raise DomainError(f"{user} 已停用，不能抄送")
        copy, created = CarbonCopy.objects.get_or_create(
            content_type=ct,
            object_id=record.pk,
            user=user,
            defaults={"title": title[:200], "link": link, "added_by": actor, "note": note[:200]},
        )
        if created:
            added.append(copy)
    if added:
        names = "、".join(str(c.user) for c in added)
        audit_record(
            subject=record,
            action="record.cc",
            label="抄送",
            actor=actor,
            comment=note,
            details={"users": [c.user_id for c in added], "names": names},
        )
        by = f"{actor} " if actor is not None else ""
        extra = f"，附言：{note}" if note else ""
        notify(
            recipients=[c.user for c in added],
            title=f"抄送给您：{title}",
            body=f"{by}将“{title}”抄送给您{extra}。您可查看该记录，并会收到各环节的处理结果。",
            link=link,
            subject=record,
            kind="cc_added",
        )
    return added


def copies_tell_outcome(*, task: Task) -> int:
    """Tell the people copied on the record how a step just ended (inside the closing
    transaction)."""
    copies = list(
        CarbonCopy.objects.filter(content_type_id=task.content_type_id, object_id=task.object_id).select_related("user")
    )
    if not copies:
        return 0
    outcome = OUTCOME_LABELS.get(task.outcome, "已处理")
    now = timezone.now()
    CarbonCopy.objects.filter(pk__in=[c.pk for c in copies]).update(outcome=task.outcome, outcome_at=now)
    notify(
        recipients=[c.user for c in copies if c.user_id != task.closed_by_id],
        title=f"抄送结果：{task.step_label}{outcome} · {task.title}",
        body=f"{task.title}：{task.step_label} 已由 {task.closed_by_label} {outcome}。",
        link=task.link,
        subject=task.subject,
        kind="cc_outcome",
    )
    return len(copies)


def copied_to(user) -> models.QuerySet[CarbonCopy]:
    """抄送我的: the records copied to this user, newest first."""
    if not user.is_authenticated:
        return CarbonCopy.objects.none()
    return CarbonCopy.objects.filter(user=user).select_related("added_by").order_by("-created_at", "-id")


def is_copied(user, record: models.Model) -> bool:
    if not user.is_authenticated:
        return False
    ct = ContentType.objects.get_for_model(record)
    return CarbonCopy.objects.filter(content_type=ct, object_id=record.pk, user=user).exists()
