from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from approvals.errors import DomainError
from approvals.models import Task
from approvals.selectors import inbox_for, open_tasks_for
from planning.models import Risk, RiskLevel, RiskMatrixCell
from planning.risks import (
    risk_follow_up,
    risk_level,
    risk_levels_refresh,
    risk_raise,
    risk_reviews_due,
    risk_update,
    top_risks,
)

pytestmark = pytest.mark.django_db


def raise_risk(project, pm, probability=2, impact=3, **extra):
    return risk_raise(
        project=project,
        actor=pm,
        source=extra.pop("source", Risk.Source.CUSTOMER),
        description=extra.pop("description", "客户环境准备滞后"),
        probability=probability,
        impact=impact,
        strategy=extra.pop("strategy", Risk.Strategy.MITIGATE),
        owner=extra.pop("owner", pm),
        **extra,
    )


@pytest.mark.parametrize(
    ("probability", "impact", "level"),
    [(1, 1, "low"), (1, 3, "medium"), (2, 2, "medium"), (2, 3, "high"), (3, 1, "medium"), (3, 3, "high")],
)
def test_probability_times_impact_gives_the_level_of_the_matrix(probability, impact, level):
    assert risk_level(probability, impact) == level


def test_the_admin_matrix_decides_the_level_and_existing_risks_follow_it(project, pm):
    risk = raise_risk(project, pm, probability=1, impact=3)
    assert risk.level == RiskLevel.MEDIUM
    RiskMatrixCell.objects.filter(probability=1, impact=3).update(level=RiskLevel.HIGH)
    assert risk_levels_refresh() == 1
    risk.refresh_from_db()
    assert risk.get_level_display() == "高" and risk.level_rank == 3


def test_a_risk_needs_a_known_source_and_strategy(project, pm):
    with pytest.raises(DomainError, match="应对策略"):
        raise_risk(project, pm, strategy="ignore")
    with pytest.raises(DomainError, match="风险来源"):
        raise_risk(project, pm, source="weather")
    with pytest.raises(PermissionDenied):
        raise_risk(project, pm.__class__.objects.get(username="sales"))


def test_an_overdue_review_is_a_task_for_the_owner_and_the_follow_up_closes_it(project, pm, org):
    owner = org["implementer"]
    risk = raise_risk(project, pm, owner=owner)
    assert risk.next_review == timezone.localdate() + timedelta(days=7)
    assert risk_reviews_due() == 0
    Risk.objects.filter(pk=risk.pk).update(next_review=timezone.localdate() - timedelta(days=1))
    assert risk_reviews_due() == 1
    assert risk_reviews_due() == 0  # one waiting task, not one a day
    task = open_tasks_for(risk).get()
    assert task.step_label == "风险评审" and task in inbox_for(owner)

    risk_follow_up(risk=risk, actor=owner, note="客户已确认下周交付服务器")
    task.refresh_from_db()
    risk.refresh_from_db()
    assert task.state == Task.State.DONE and task.outcome_label == "已评审"
    assert risk.status == Risk.Status.TRACKING and risk.next_review > timezone.localdate()


def test_closing_a_risk_closes_its_review_and_takes_it_off_the_top(project, pm, org):
    high = raise_risk(project, pm, probability=3, impact=3, description="供应商无法按期供货")
    raise_risk(project, pm, probability=1, impact=1, description="小风险")
    assert [r.description for r in top_risks(org["project_director"])] == ["供应商无法按期供货", "小风险"]
    Risk.objects.filter(pk=high.pk).update(next_review=timezone.localdate() - timedelta(days=1))
    risk_reviews_due()
    risk_update(risk=high, actor=pm, status=Risk.Status.CLOSED)
    high.refresh_from_db()
    assert high.closed_at is not None and not open_tasks_for(high).exists()
    assert [r.description for r in top_risks(org["project_director"])] == ["小风险"]
    assert top_risks(org["sales2"]) == []  # a project the user may not see
