"""代理审批: a person (or his manager, or an administrator) names a delegate for a date range,
for every kind of step or only some. While it runs the delegate sees the delegator's waiting
steps in his inbox and may answer them (approvals.selectors.acting_for); the step and the
record's history say “李四 代 张三 审批”. Both are told when it starts and when it ends (a beat
job, safe to run twice); it ends by itself after its last day."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from pmis.audit.services import audit_record
from pmis.notify.services import notify
from pmis.org.models import User
from pmis.org.roles import REGION_SCOPED_ROLES
from pmis.org.selectors import user_regions, user_role_codes

from .errors import DomainError
from .models import STEP_KINDS, Delegation
from .routing import ROUTE_UP

# Whom a role reports to, for “his manager may set his delegate”: the reporting lines of the
# routing rule, and a salesperson's 销售主管 in his own team.
REPORTS_TO: dict[str, str] = {"sales": "sales_manager", **ROUTE_UP}
TEAM_SCOPED = frozenset({"sales_manager"})


def is_manager_of(manager: User, user: User) -> bool:
    """Whether `manager` holds the role one level above one of `user`'s roles, in his team (a
    销售主管) or his region (a region-scoped role)."""
    if manager.pk == user.pk:
        return False
    theirs = user_role_codes(manager)
    for role in user_role_codes(user):
        up = REPORTS_TO.get(role)
        if up is None or up not in theirs:
            continue
        if up in TEAM_SCOPED and (user.department_id is None or user.department_id != manager.department_id):
            continue
        shared = set(user_regions(user).values_list("pk", flat=True)) & set(
            user_regions(manager).values_list("pk", flat=True)
        )
        if up in REGION_SCOPED_ROLES and not shared:
            continue
        return True
    return False


def delegation_can_set(actor: User, delegator: User) -> bool:
    return actor.is_authenticated and (
        actor.is_superuser or actor.pk == delegator.pk or is_manager_of(actor, delegator)
    )


def delegations_visible(user) -> models.QuerySet[Delegation]:
    """The delegations a user sees on 代理审批: those he gave or took, those he set, and — for
    an administrator — all."""
    if not user.is_authenticated:
        return Delegation.objects.none()
    rows = Delegation.objects.select_related("delegator", "delegate", "created_by")
    if user.is_superuser:
        return rows
    return rows.filter(models.Q(delegator=user) | models.Q(delegate=user) | models.Q(created_by=user))


@transaction.atomic
def delegation_set(
    *,
    actor: User,
    delegator: User,
    delegate: User,
    starts_on: date,
    ends_on: date,
    step_kinds: list[str] | None = None,
    reason: str = "",
) -> Delegation:
    if not delegation_can_set(actor, delegator):
        raise PermissionDenied("只有本人、其上级或系统管理员可以为其设置代理人")
    if delegate.pk == delegator.pk:
        raise DomainError("代理人不能是委托人本人")
    if not delegate.is_active:
        raise DomainError(f"{delegate} 已停用，不能作为代理人")
    if ends_on < starts_on:
        raise DomainError("结束日期不能早于开始日期")
    if ends_on < timezone.localdate():
        raise DomainError("结束日期不能早于今天")
    kinds = list(dict.fromkeys(step_kinds or []))
    unknown = [k for k in kinds if k not in STEP_KINDS]
    if unknown:
        raise DomainError(f"未知的环节类型：{'、'.join(unknown)}")
    # one delegate at a time: two delegations of one person may not overlap
    User.objects.select_for_update().filter(pk=delegator.pk).first()
    overlapping = Delegation.objects.filter(
        delegator=delegator, cancelled_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on
    ).first()
    if overlapping is not None:
        raise DomainError(f"该时段已设置代理：{overlapping}，请先撤销或调整日期")
    delegation = Delegation(
        delegator=delegator,
        delegate=delegate,
        starts_on=starts_on,
        ends_on=ends_on,
        step_kinds=kinds,
        reason=reason.strip()[:200],
        created_by=actor,
    )
    delegation.full_clean()
    delegation.save()
    audit_record(
        subject=delegation,
        action="delegation.set",
        label="设置代理审批",
        actor=actor,
        comment=delegation.reason,
        details={"delegator": delegator.pk, "delegate": delegate.pk, "kinds": kinds},
    )
    set_by = "" if actor.pk == delegator.pk else f"（由 {actor} 设置）"
    notify(
        recipients=[delegator, delegate],
        title=f"代理审批已设置：{delegate} 代 {delegator}",
        body=(
            f"{starts_on:%Y-%m-%d} 至 {ends_on:%Y-%m-%d}，{delegate} 代 {delegator} 处理"
            f"{delegation.kinds_label}待办{set_by}。"
        ),
        link="/approvals/delegations/",
        subject=delegation,
        kind="delegation_set",
    )
    transaction.on_commit(lambda: delegations_announce())
    return delegation


@transaction.atomic
def delegation_cancel(*, delegation: Delegation, actor: User) -> Delegation:
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if not (delegation_can_set(actor, delegation.delegator) or actor.pk == delegation.delegate_id):
        raise PermissionDenied("您无权撤销该代理")
    if delegation.cancelled_at is not None:
        raise DomainError("该代理已撤销")
    today = timezone.localdate()
    if delegation.ends_on < today:
        raise DomainError("该代理已结束")
    delegation.cancelled_at = timezone.now()
    fields = ["cancelled_at"]
    if delegation.start_notified_at is not None and delegation.end_notified_at is None:
        delegation.end_notified_at = delegation.cancelled_at
        fields.append("end_notified_at")
    delegation.save(update_fields=fields)
    audit_record(subject=delegation, action="delegation.cancel", label="撤销代理审批", actor=actor)
    notify(
        recipients=[delegation.delegator, delegation.delegate],
        title=f"代理审批已撤销：{delegation.delegate} 代 {delegation.delegator}",
        body=f"{actor} 撤销了该代理，{delegation.delegate} 不再代 {delegation.delegator} 处理待办。",
        link="/approvals/delegations/",
        subject=delegation,
        kind="delegation_ended",
    )
    return delegation


def delegations_announce(*, now: datetime | None = None) -> dict[str, int]:
    """Tell both people when a delegation starts and when it has ended, each once. Rows another
    run holds are skipped, so two runs at once never tell twice."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    counts = {"started": 0, "ended": 0}
    with transaction.atomic():
        starting = (
            Delegation.objects.select_for_update(skip_locked=True)
            .filter(cancelled_at__isnull=True, start_notified_at__isnull=True, starts_on__lte=today, ends_on__gte=today)
            .select_related("delegator", "delegate")
        )
        for delegation in starting:
            delegation.start_notified_at = now
            delegation.save(update_fields=["start_notified_at"])
            audit_record(subject=delegation, action="delegation.start", label="代理审批开始", actor=None)
            notify(
                recipients=[delegation.delegator, delegation.delegate],
                title=f"代理审批开始：{delegation.delegate} 代 {delegation.delegator}",
                body=(
                    f"今日起至 {delegation.ends_on:%Y-%m-%d}，{delegation.delegator} 的{delegation.kinds_label}待办"
                    f"同时出现在 {delegation.delegate} 的待办中，由其代为处理。"
                ),
                link="/approvals/inbox/",
                subject=delegation,
                kind="delegation_started",
            )
            counts["started"] += 1
    with transaction.atomic():
        ended = (
            Delegation.objects.select_for_update(skip_locked=True)
            .filter(cancelled_at__isnull=True, end_notified_at__isnull=True, ends_on__lt=today)
            .select_related("delegator", "delegate")
        )
        for delegation in ended:
            delegation.end_notified_at = now
            delegation.save(update_fields=["end_notified_at"])
            audit_record(subject=delegation, action="delegation.end", label="代理审批结束", actor=None)
            notify(
                recipients=[delegation.delegator, delegation.delegate],
                title=f"代理审批结束：{delegation.delegate} 代 {delegation.delegator}",
                body=f"代理已于 {delegation.ends_on:%Y-%m-%d} 到期，待办回到 {delegation.delegator} 本人。",
                link="/approvals/inbox/",
                subject=delegation,
                kind="delegation_ended",
            )
            counts["ended"] += 1
    return counts
