"""特批领导 and 商务审批员: what waits on them, why, for how much and for how long."""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, Min, OuterRef, Q, Subquery, Sum, Value, When
from django.utils import timezone

from approvals.models import Task
from approvals.selectors import inbox_for
from registrations.models import Registration, State
from registrations.services import OUTSOURCING_STEP, STEPS

from ..charts import Chart, Series
from .common import age_band_counts, age_bands, list_url, rows_shown

# 000 §3.1 / 001 §3.2.1: a registration is special when the contract is unsigned, or signed but
# its first payment has not come in
REASONS = {"unsigned": "合同未签", "unpaid": "已签合同未收首付款"}


def _reason():
    return Case(When(contract_signed=False, then=Value("unsigned")), default=Value("unpaid"))


def _yuan(amount) -> str:
    return f"¥{amount:,.0f}" if amount is not None else "—"


def special_waiting(user, *, now=None) -> dict:
    """Special approvals waiting on this leader (their region only, as the inbox has it): counts
    and amounts by reason, and the longest-waiting. Three queries (the user's regions, the
    figures, the list)."""
    now = now or timezone.now()
    tasks = inbox_for(user).filter(
        step=STEPS[State.PENDING_SPECIAL].code, content_type=ContentType.objects.get_for_model(Registration)
    )
    waiting = Registration.objects.filter(pk__in=tasks.order_by().values("object_id"), state=State.PENDING_SPECIAL)
    rows = {
        row["reason"]: row
        for row in waiting.annotate(reason=_reason())
        .order_by()
        .values("reason")
        .annotate(n=Count("pk"), amount=Sum("contract_amount"), no_amount=Count("pk", filter=Q(contract_amount=None)))
    }
    since = tasks.filter(object_id=OuterRef("pk")).order_by("created_at").values("created_at")[:1]
    oldest = list(
        waiting.annotate(reason=_reason(), waiting_since=Subquery(since))
        .select_related("owner", "region")
        .order_by("waiting_since", "pk")[: rows_shown()]
    )
    for registration in oldest:
        registration.reason_label = REASONS[registration.reason]
        registration.amount_label = _yuan(registration.contract_amount) if registration.contract_amount else "未填"
        registration.days_waiting = (now - registration.waiting_since).days if registration.waiting_since else None
    queue = list_url("registrations:queue")
    counts = [rows.get(key, {}).get("n", 0) for key in REASONS]
    amounts = [rows.get(key, {}).get("amount") for key in REASONS]
    chart = Chart(
        id="chart-special",
        title="待我特批（按原因）",
        categories=list(REASONS.values()),
        series=[
            Series(
                name="件数",
                values=counts,
                links=[queue] * len(REASONS),
                texts=[f"{n} 件 · {_yuan(a)}" if n else "0 件" for n, a in zip(counts, amounts, strict=True)],
            )
        ],
        extra_columns=[
            {"name": "合同金额合计", "cells": [(_yuan(a), None) for a in amounts]},
            {"name": "未填金额", "cells": [(f"{rows.get(k, {}).get('no_amount', 0)} 件", None) for k in REASONS]},
        ],
    )
    return {
        "chart": chart,
        "total": sum(counts),
        "amount": _yuan(sum((a for a in amounts if a is not None), Decimal(0))),
        "no_amount": sum(rows.get(k, {}).get("no_amount", 0) for k in REASONS),
        "registrations": oldest,
        "queue_link": queue,
    }


def business_queue(user, *, now=None) -> dict:
    """Everything waiting on this business approver, by step and by age band, with how many are
    past their deadline. Two queries (the user's regions, the figures)."""
    now = now or timezone.now()
    bands = age_bands()
    rows = list(
        inbox_for(user)
        .order_by()
        .values("step", "step_label")
        .annotate(
            n=Count("pk"),
            overdue=Count("pk", filter=Q(due_at__lte=now)),
            oldest=Min("created_at"),
            **age_band_counts("created_at", now),
        )
        .order_by("step")
    )
    registration_steps = {step.code for step in STEPS.values()} | {OUTSOURCING_STEP.code}
    for row in rows:
        row["link"] = (
            list_url("registrations:queue") if row["step"] in registration_steps else list_url("approvals:inbox")
        )
        row["oldest_days"] = (now - row["oldest"]).days
    chart = Chart(
        id="chart-business-queue",
        title="待我审批（按等待时长、环节）",
        categories=[band["label"] for band in bands],
        series=[
            Series(
                name=row["step_label"],
                values=[row[band["key"]] for band in bands],
                links=[row["link"]] * len(bands),
                stack="step",
            )
            for row in rows
        ],
    )
    oldest = min((row["oldest"] for row in rows), default=None)
    return {
        "chart": chart,
        "rows": rows,
        "total": sum(row["n"] for row in rows),
        "overdue": sum(row["overdue"] for row in rows),
        "oldest_days": (now - oldest).days if oldest else None,
        "inbox_link": list_url("approvals:inbox"),
    }


def outsourcing_open(user, *, now=None) -> dict:
    """Outsourcing (外采) the business department still has to arrange, all of it, oldest first.
    Two queries."""
    now = now or timezone.now()
    open_tasks = Task.objects.filter(step=OUTSOURCING_STEP.code, state=Task.State.OPEN)
    bands = age_bands()
    figures = open_tasks.aggregate(
        n=Count("pk"), overdue=Count("pk", filter=Q(due_at__lte=now)), **age_band_counts("created_at", now)
    )
    oldest = list(open_tasks.select_related("claimed_by").order_by("created_at", "pk")[: rows_shown()])
    for task in oldest:
        task.days_waiting = (now - task.created_at).days
    chart = Chart(
        id="chart-outsourcing",
        title="外采待办（按等待时长）",
        categories=[band["label"] for band in bands],
        series=[Series(name="外采待办", values=[figures[band["key"]] for band in bands])],
    )
    return {"chart": chart, "total": figures["n"], "overdue": figures["overdue"], "tasks": oldest}
