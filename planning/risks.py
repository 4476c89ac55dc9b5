"""The risk register (003 风险列表 / 交底备案; 004 §4): probability × impact → level from the
matrix the admin keeps, a strategy, an owner and a weekly review. A review that falls due becomes
a task in the owner's inbox; recording the review closes it and sets the next one."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Case, QuerySet, When
from django.utils import timezone

from approvals.errors import DomainError
from approvals.selectors import open_tasks_for
from approvals.services import task_close, task_open
from pmis import reference
from pmis.audit.services import audit_record
from projects.models import ACTIVE_STATES, Project
from projects.selectors import projects_visible
from projects.workspace import tab_url

from .access import require_edit
from .models import LEVEL_RANK, Rating, Risk, RiskFollowUp, RiskLevel, RiskMatrixCell

REVIEW_POLICY = "risk-review"  # how often an open risk is reviewed (004 §1.3: weekly)
REVIEW_STEP = "risk.review"

# seed of the matrix: the admin may change any cell (and the levels are recomputed)
DEFAULT_MATRIX = {
    (1, 1): RiskLevel.LOW, (1, 2): RiskLevel.LOW, (1, 3): RiskLevel.MEDIUM,
    (2, 1): RiskLevel.LOW, (2, 2): RiskLevel.MEDIUM, (2, 3): RiskLevel.HIGH,
    (3, 1): RiskLevel.MEDIUM, (3, 2): RiskLevel.HIGH, (3, 3): RiskLevel.HIGH,
}  # fmt: skip


def risk_matrix_seed() -> int:
    created = 0
    for (probability, impact), level in DEFAULT_MATRIX.items():
        _, was = RiskMatrixCell.objects.get_or_create(probability=probability, impact=impact, defaults={"level": level})
        created += was
    return created


def risk_matrix() -> dict[tuple[int, int], str]:
    cells = dict(((p, i), lvl) for p, i, lvl in RiskMatrixCell.objects.values_list("probability", "impact", "level"))
    return {key: cells.get(key, default) for key, default in DEFAULT_MATRIX.items()}


def risk_level(probability: int, impact: int, matrix: dict | None = None) -> str:
    matrix = matrix or risk_matrix()
    try:
        return matrix[(int(probability), int(impact))]
    except (KeyError, ValueError, TypeError):
        raise DomainError("可能性和影响须为 低 / 中 / 高") from None


def matrix_rows() -> list[dict]:
    """The matrix as the page shows it: rows by probability (高 first), columns by impact."""
    matrix = risk_matrix()
    return [
        {
            "probability": Rating(p).label,
            "cells": [{"impact": Rating(i).label, "level": matrix[(p, i)], "label": RiskLevel(matrix[(p, i)]).label}
                      for i in (1, 2, 3)],
        }
        for p in (3, 2, 1)
    ]  # fmt: skip


def risk_levels_refresh() -> int:
    """After the admin changed the matrix: every risk gets its level again."""
    matrix = risk_matrix()
    changed = 0
    for risk in Risk.objects.only("pk", "probability", "impact", "level"):
        level = matrix[(risk.probability, risk.impact)]
        if level != risk.level:
            Risk.objects.filter(pk=risk.pk).update(level=level, level_rank=LEVEL_RANK[level])
            changed += 1
    return changed


def review_interval() -> timedelta:
    policy = reference.policy(REVIEW_POLICY)
    return policy.duration if policy else timedelta(days=7)


def _next_review(today: date | None = None) -> date:
    return (today or timezone.localdate()) + timedelta(days=max(review_interval().days, 1))


def _check(source, strategy, status=Risk.Status.OPEN) -> None:
    if source not in Risk.Source.values:
        raise DomainError("请选择风险来源")
    if strategy not in Risk.Strategy.values:
        raise DomainError("请选择应对策略（规避 / 转移 / 减轻 / 接受）")
    if status not in Risk.Status.values:
        raise DomainError("未知的风险状态")


@transaction.atomic
def risk_raise(
    *,
    project: Project,
    actor,
    source: str,
    description: str,
    probability: int,
    impact: int,
    strategy: str,
    owner,
    measures: str = "",
    due_date: date | None = None,
) -> Risk:
    require_edit(actor, project, "风险")
    _check(source, strategy)
    if not description.strip():
        raise DomainError("请填写风险描述")
    if owner is None:
        raise DomainError("请选择风险责任人")
    level = risk_level(probability, impact)
    risk = Risk.objects.create(
        project=project,
        source=source,
        description=description.strip(),
        probability=int(probability),
        impact=int(impact),
        level=level,
        level_rank=LEVEL_RANK[level],
        strategy=strategy,
        measures=measures.strip(),
        owner=owner,
        due_date=due_date,
        next_review=_next_review(),
        raised_by=actor,
    )
    audit_record(
        subject=project,
        action="risk.raise",
        label=f"登记风险（{risk.get_level_display()}）：{risk.description[:30]}",
        actor=actor,
        details={"risk": risk.pk, "level": level},
    )
    return risk


@transaction.atomic
def risk_update(*, risk: Risk, actor, **fields) -> Risk:
    project = risk.project
    require_edit(actor, project, "风险")
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    allowed = {"source", "description", "probability", "impact", "strategy", "measures", "owner", "due_date", "status"}
    if set(fields) - allowed:
        raise ValueError(f"unknown risk fields: {set(fields) - allowed}")
    before = risk.status
    for name, value in fields.items():
        setattr(risk, name, value.strip() if isinstance(value, str) else value)
    _check(risk.source, risk.strategy, risk.status)
    if not risk.description:
        raise DomainError("请填写风险描述")
    risk.level = risk_level(risk.probability, risk.impact)
    risk.level_rank = LEVEL_RANK[risk.level]
    if risk.status == Risk.Status.CLOSED and before != Risk.Status.CLOSED:
        risk.closed_at = timezone.now()
        for task in open_tasks_for(risk):
            task_close(task=task, actor=actor, outcome="closed")
    elif risk.status != Risk.Status.CLOSED:
        risk.closed_at = None
    risk.save()
    audit_record(
        subject=project,
        action="risk.close" if risk.closed_at and before != Risk.Status.CLOSED else "risk.update",
        label=("关闭风险：" if risk.status == Risk.Status.CLOSED and before != risk.status else "修改风险：")
        + risk.description[:30],
        actor=actor,
        details={"risk": risk.pk, "level": risk.level, "status": risk.status},
    )
    return risk


@transaction.atomic
def risk_follow_up(*, risk: Risk, actor, note: str) -> RiskFollowUp:
    """A follow-up is the weekly review: it closes a waiting review task and sets the next date."""
    project = risk.project
    require_edit(actor, project, "风险")
    risk = Risk.objects.select_for_update().get(pk=risk.pk)
    if not note.strip():
        raise DomainError("请填写跟进情况")
    if risk.status == Risk.Status.CLOSED:
        raise DomainError("风险已关闭，无需再跟进")
    follow = RiskFollowUp.objects.create(risk=risk, note=note.strip(), author=actor)
    risk.next_review = _next_review()
    if risk.status == Risk.Status.OPEN:
        risk.status = Risk.Status.TRACKING
    risk.save(update_fields=["next_review", "status"])
    for task in open_tasks_for(risk):
        task_close(task=task, actor=actor, outcome="reviewed")
    audit_record(
        subject=project,
        action="risk.follow_up",
        label=f"风险跟进：{risk.description[:30]}",
        actor=actor,
        comment=follow.note,
        details={"risk": risk.pk},
    )
    return follow


def risk_reviews_due(*, today: date | None = None) -> int:
    """Open a review task for each open risk whose review date has passed (once: a risk with a
    waiting review task gets no second). Returns how many were opened."""
    today = today or timezone.localdate()
    opened = 0
    due = (
        Risk.objects.filter(next_review__lt=today).exclude(status=Risk.Status.CLOSED).select_related("project", "owner")
    )
    for risk in due:
        with transaction.atomic():
            locked = Risk.objects.select_for_update().filter(pk=risk.pk).first()
            if locked is None or open_tasks_for(locked).exists():
                continue
            task_open(
                subject=locked,
                step=REVIEW_STEP,
                step_label="风险评审",
                title=f"{risk.project.name}：{risk.description[:60]}",
                link=tab_url(risk.project, "risks") + f"#risk-{risk.pk}",
                assignee=risk.owner,
                policy=None,
                route_region=risk.project.region,
            )
            opened += 1
    return opened


# ---------------------------------------------------------------------------------------------
# selectors


def project_risks(project: Project) -> QuerySet[Risk]:
    return (
        Risk.objects.filter(project=project)
        .select_related("owner")
        .prefetch_related("follow_ups__author")
        .annotate(closed_last=Case(When(status=Risk.Status.CLOSED, then=1), default=0))
        .order_by("closed_last", "-level_rank", "due_date", "id")
    )


def open_risks(project: Project) -> QuerySet[Risk]:
    """For the handover checklist and the overview: what is still open, highest first."""
    return (
        Risk.objects.filter(project=project)
        .exclude(status=Risk.Status.CLOSED)
        .select_related("owner")
        .order_by("-level_rank", "due_date", "id")
    )


def project_top_risks(project: Project, limit: int = 3) -> list[Risk]:
    return list(open_risks(project)[:limit])


def top_risks(user, limit: int = 10) -> list[Risk]:
    """The highest open risks of the active projects the user may see (the director's card)."""
    return list(
        Risk.objects.filter(project__in=projects_visible(user).filter(state__in=ACTIVE_STATES))
        .exclude(status=Risk.Status.CLOSED)
        .select_related("project", "owner")
        .order_by("-level_rank", "created_at", "id")[:limit]
    )
