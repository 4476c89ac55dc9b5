"""客户成功负责人: handovers waiting on customer success, and the SaaS customers in service."""

from datetime import datetime, time

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from aftersales.models import Handover
from approvals.selectors import inbox_for
from projects.models import Project, State

from ..charts import Chart, Series
from .common import age_band_counts, age_bands, list_url, recent_months, rows_shown


def handovers_waiting(user, *, now=None) -> dict:
    """Handovers waiting on this head's approval (their inbox) and, after it, on the customer
    success team's audit of the materials; by age band. Four queries."""
    now = now or timezone.now()
    bands = age_bands()
    mine = inbox_for(user).filter(step="handover.cs_head")
    mine_figures = mine.order_by().aggregate(
        n=Count("pk"), overdue=Count("pk", filter=Q(due_at__lte=now)), **age_band_counts("created_at", now)
    )
    audit = Handover.objects.filter(state=Handover.State.PENDING_AUDIT, route=Handover.Route.CUSTOMER_SUCCESS)
    audit_figures = audit.aggregate(n=Count("pk"), **age_band_counts("submitted_at", now))
    tasks = list(mine[: rows_shown()])
    for task in tasks:
        task.days_waiting = (now - task.created_at).days
    inbox = list_url("approvals:inbox")
    chart = Chart(
        id="chart-cs-handovers",
        title="待处理的移交（按等待时长）",
        categories=[band["label"] for band in bands],
        series=[
            Series(
                name="待我审批", values=[mine_figures[b["key"]] for b in bands], links=[inbox] * len(bands), stack="h"
            ),
            Series(name="待客户成功部审核材料", values=[audit_figures[b["key"]] for b in bands], stack="h"),
        ],
    )
    return {
        "chart": chart,
        "mine": mine_figures["n"],
        "overdue": mine_figures["overdue"],
        "audit": audit_figures["n"],
        "tasks": tasks,
        "inbox_link": inbox,
    }


def saas_in_service(user, *, today=None) -> dict:
    """SaaS customers in service: SaaS projects in maintenance (运维), counted by customer and by
    region, and the handovers customer success accepted in each of the last months. Three queries."""
    today = today or timezone.localdate()
    in_service = Project.objects.filter(kind=Project.Kind.SAAS, state=State.MAINTENANCE)
    by_region = list(
        in_service.order_by()
        .values("region__name")
        .annotate(projects=Count("pk"), customers=Count("customer_name", distinct=True))
        .order_by("region__name")
    )
    totals = in_service.aggregate(projects=Count("pk"), customers=Count("customer_name", distinct=True))
    months = recent_months(today)
    start = timezone.make_aware(datetime.combine(months[0], time.min))
    accepted = dict(
        Handover.objects.filter(
            route=Handover.Route.CUSTOMER_SUCCESS, state=Handover.State.ACCEPTED, decided_at__gte=start
        )
        .annotate(month=TruncMonth("decided_at"))
        .order_by()
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    accepted = {timezone.localtime(month).date(): n for month, n in accepted.items()}
    region_chart = Chart(
        id="chart-saas-region",
        title="在服 SaaS 客户（按区域）",
        categories=[row["region__name"] for row in by_region],
        series=[Series(name="客户数", values=[row["customers"] for row in by_region])],
        extra_columns=[{"name": "项目数", "cells": [(str(row["projects"]), None) for row in by_region]}],
    )
    trend_chart = Chart(
        id="chart-saas-trend",
        title="每月接收的 SaaS 移交",
        categories=[f"{m:%Y-%m}" for m in months],
        series=[Series(name="接收移交数", values=[accepted.get(m, 0) for m in months])],
    )
    return {
        "region_chart": region_chart,
        "trend_chart": trend_chart,
        "customers": totals["customers"],
        "projects": totals["projects"],
    }
