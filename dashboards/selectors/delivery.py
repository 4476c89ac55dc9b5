"""项目总监: the pipeline by phase and region, projects stuck at a gate, weekly-report coverage
and handovers."""

from datetime import time, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from aftersales.models import Handover
from pmis import reference
from pmis.audit.models import AuditEntry
from pmis.worktime.calendar import subtract_duration
from pmis.worktime.models import Clock, SlaPolicy
from projects.models import ACTIVE_STATES, Project, State, WeeklyReport
from projects.selectors import projects_visible
from projects.services import week_of

from ..charts import Chart, Series
from .common import list_url, percent, rows_shown

PIPELINE_STATES = (*ACTIVE_STATES, State.HANDOVER, State.SUSPENDED)
# the phases a gate closes (DESIGN.md §2.2), and the gate each waits at
GATES = {
    State.REQUIREMENTS: "需求确认 → 实施",
    State.TRIAL_RUN: "试运行 → 上线",
    State.ACCEPTANCE: "验收 → 移交",
}
GATE_NEEDS = {
    State.REQUIREMENTS: "需求确认单、需求分类",
    State.TRIAL_RUN: "项目试运行确认单",
    State.ACCEPTANCE: "七项验收资料",
}
STUCK_POLICY = "project-gate-stuck"


def pipeline(user) -> dict:
    """Projects in delivery by phase and region: one query."""
    rows = list(
        projects_visible(user)
        .filter(state__in=[*PIPELINE_STATES, State.MAINTENANCE])
        .values("state", "region_id", "region__name")
        .annotate(n=Count("pk"))
        .order_by("region_id")
    )
    regions = {}  # regions with a project in delivery, in region order
    for row in rows:
        if row["state"] != State.MAINTENANCE:
            regions.setdefault(row["region_id"], row["region__name"])
    counts = {(row["state"], row["region_id"]): row["n"] for row in rows}
    series = [
        Series(
            name=name,
            values=[counts.get((state, region_id), 0) for state in PIPELINE_STATES],
            links=[list_url("projects:all", state=state, region=region_id) for state in PIPELINE_STATES],
            stack="region",
        )
        for region_id, name in regions.items()
    ]
    totals = [sum(counts.get((state, r), 0) for r in regions) for state in PIPELINE_STATES]
    chart = Chart(
        id="chart-pipeline",
        title="在途项目（按阶段、区域）",
        categories=[State(state).label for state in PIPELINE_STATES],
        series=series,
        unit="",
        extra_columns=[
            {
                "name": "合计",
                "cells": [
                    (str(t), list_url("projects:all", state=s)) for s, t in zip(PIPELINE_STATES, totals, strict=True)
                ],
            }
        ],
    )
    return {
        "chart": chart,
        "in_delivery": sum(totals),
        "maintenance": sum(row["n"] for row in rows if row["state"] == State.MAINTENANCE),
        "maintenance_link": list_url("projects:all", state=State.MAINTENANCE),
        "all_link": list_url("projects:all"),
    }


def stuck_at_gates(user, *, now=None) -> dict:
    """Projects that have stayed in a gated phase longer than the 项目卡在关口 policy allows.
    The phase was entered at its last audited transition into it (the project's creation for
    one that never moved). Three queries: the policy, the counts, the longest-stuck projects."""
    now = now or timezone.now()
    policy = reference.policy(STUCK_POLICY)
    if policy is None:
        return {"policy": None}
    cutoff = subtract_duration(now, policy.duration, policy.clock)
    entered = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Project), object_id=OuterRef("pk"), to_state=OuterRef("state")
    ).order_by("-at")
    stuck = (
        projects_visible(user)
        .filter(state__in=list(GATES))
        .alias(entered_at=Coalesce(Subquery(entered.values("at")[:1]), "created_at"))
        .filter(entered_at__lte=cutoff)
    )
    counts = dict(stuck.order_by().values_list("state").annotate(n=Count("pk")))
    longest = list(
        stuck.annotate(entered_at=Coalesce(Subquery(entered.values("at")[:1]), "created_at"))
        .select_related("region", "pm")
        .order_by("entered_at", "pk")[: rows_shown()]
    )
    for project in longest:
        project.days_in_phase = (now - project.entered_at).days
        project.gate, project.gate_needs = GATES[project.state], GATE_NEEDS[project.state]
    chart = Chart(
        id="chart-stuck",
        title="卡在关口的项目（按关口）",
        categories=list(GATES.values()),
        series=[Series(name="项目数", values=[counts.get(state, 0) for state in GATES])],
        extra_columns=[
            {"name": "该阶段全部项目", "cells": [("查看", list_url("projects:all", state=state)) for state in GATES]}
        ],
    )
    return {
        "policy": policy,
        "policy_span": policy_span(policy),
        "chart": chart,
        "total": sum(counts.values()),
        "projects": longest,
    }


def policy_span(policy: SlaPolicy) -> str:
    """A policy's time limit as people say it: 10 个工作日, 48 小时, 7 天."""
    minutes = policy.duration_minutes
    if policy.clock == Clock.WORKING:
        start, end = (time.fromisoformat(t) for t in (settings.PMIS_WORKDAY_START, settings.PMIS_WORKDAY_END))
        day = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        if minutes % day == 0:
            return f"{minutes // day} 个工作日"
        return f"{minutes / 60:g} 个工作小时"
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)} 天"
    return f"{minutes / 60:g} 小时"


def weekly_coverage(user, *, today=None, weeks: int | None = None) -> dict:
    """Share of projects in delivery (立项 to 验收, with a PM) that filed the week's report, for
    the last few weeks; the projects counted are today's. Two queries."""
    today = today or timezone.localdate()
    weeks = weeks or settings.PMIS_DASHBOARD_WEEKS
    this_week = week_of(today)
    starts = [this_week - timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
    active = projects_visible(user).filter(state__in=ACTIVE_STATES, pm__isnull=False)
    total = active.count()
    filed = dict(
        WeeklyReport.objects.filter(week_start__in=starts, project__in=active.values("pk"))
        .order_by()
        .values_list("week_start")
        .annotate(n=Count("project", distinct=True))
    )
    rates = [percent(filed.get(start, 0), total) for start in starts]
    chart = Chart(
        id="chart-weekly",
        title="周报覆盖率（按周）",
        kind="line",
        percent=True,
        categories=[f"{start:%m-%d} 周" for start in starts],
        series=[Series(name="覆盖率", values=rates)],
        extra_columns=[{"name": "已填 / 应填", "cells": [(f"{filed.get(s, 0)} / {total}", None) for s in starts]}],
    )
    return {
        "chart": chart,
        "total": total,
        "filed": filed.get(this_week, 0),
        "missing": total - filed.get(this_week, 0),
        "rate": rates[-1],
        "week_start": this_week,
        "missing_link": list_url("projects:weekly_missing"),
    }


def handovers(user, *, now=None) -> dict:
    """Handovers waiting (by step and receiver) and this month's decisions. Two queries."""
    now = now or timezone.now()
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    visible = Handover.objects.filter(project__in=projects_visible(user).values("pk"))
    cs, system = Handover.Route.CUSTOMER_SUCCESS, Handover.Route.SYSTEM_SERVICE
    figures = visible.aggregate(
        cs_head=Count("pk", filter=Q(state=Handover.State.PENDING_CS_HEAD)),
        audit_system=Count("pk", filter=Q(state=Handover.State.PENDING_AUDIT, route=system)),
        audit_cs=Count("pk", filter=Q(state=Handover.State.PENDING_AUDIT, route=cs)),
        accepted=Count("pk", filter=Q(state=Handover.State.ACCEPTED, decided_at__gte=month_start)),
        returned=Count("pk", filter=Q(state=Handover.State.RETURNED, decided_at__gte=month_start)),
        oldest=Min("submitted_at", filter=Q(state__in=[Handover.State.PENDING_CS_HEAD, Handover.State.PENDING_AUDIT])),
    )
    waiting = list(
        visible.filter(state__in=[Handover.State.PENDING_CS_HEAD, Handover.State.PENDING_AUDIT])
        .select_related("project__region")
        .order_by("submitted_at", "pk")[: rows_shown()]
    )
    for handover in waiting:
        handover.days_waiting = (now - handover.submitted_at).days
    in_handover = list_url("projects:all", state=State.HANDOVER)
    labels = ["待客户成功负责人审批", "待系统服务部审核", "待客户成功部审核", "本月已接收", "本月退回"]
    keys = ["cs_head", "audit_system", "audit_cs", "accepted", "returned"]
    chart = Chart(
        id="chart-handovers",
        title="移交（待处理与本月结果）",
        categories=labels,
        series=[Series(name="移交数", values=[figures[k] for k in keys], links=[in_handover] * 3 + [None, None])],
    )
    return {
        "chart": chart,
        "waiting_total": figures["cs_head"] + figures["audit_system"] + figures["audit_cs"],
        "oldest_days": (now - figures["oldest"]).days if figures["oldest"] else None,
        "waiting": waiting,
        "in_handover_link": in_handover,
    }
