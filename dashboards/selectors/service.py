"""售后运维部经理: SLA attainment by month (the figures of aftersales.selectors.sla_metrics),
open tickets by severity and age, and breaches by region and person."""

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from aftersales.selectors import sla_metrics, ticket_queue

from ..charts import Chart, Series
from .common import age_band_counts, age_bands, list_url, recent_months


def _rate(value) -> float | None:
    return round(value * 100, 1) if value is not None else None


def _month_overall(month, *, live: bool) -> dict:
    """sla_metrics' overall figures of a month. Past months are read from the cache for
    PMIS_DASHBOARD_CACHE_SECONDS (they change only when an old ticket is resolved late); the
    current month is always live."""
    if live:
        return sla_metrics(month=month)["overall"]
    key = f"dashboards:sla-overall:{month:%Y-%m}"
    overall = cache.get(key)
    if overall is None:
        overall = sla_metrics(month=month)["overall"]
        cache.set(key, overall, settings.PMIS_DASHBOARD_CACHE_SECONDS)
    return overall


def sla_trend(user, *, today=None) -> dict:
    """SLA attainment and resolution rate for each of the last months, as sla_metrics defines
    them (a fixed number of months, so a fixed number of queries)."""
    today = today or timezone.localdate()
    months = recent_months(today)
    overall = [_month_overall(month, live=month == months[-1]) for month in months]
    labels = [f"{month:%Y-%m}" for month in months]
    links = [list_url("aftersales:metrics", month=label) for label in labels]
    chart = Chart(
        id="chart-sla-trend",
        title="SLA 达成率与解决率（按月）",
        kind="line",
        percent=True,
        categories=labels,
        series=[
            Series(name="SLA 达成率", values=[_rate(o["attainment"]) for o in overall], links=links),
            Series(name="问题解决率", values=[_rate(o["resolution_rate"]) for o in overall], links=links),
        ],
        extra_columns=[
            {"name": "问题数", "cells": [(str(o["total"]), None) for o in overall]},
            {"name": "已解决", "cells": [(str(o["resolved"]), None) for o in overall]},
            {"name": "按时解决", "cells": [(str(o["met"]), None) for o in overall]},
        ],
    )
    this_month = overall[-1]
    return {
        "chart": chart,
        "attainment": _rate(this_month["attainment"]),
        "resolution_rate": _rate(this_month["resolution_rate"]),
        "transfer_hours": this_month["transfer_hours"],
        "metrics_link": links[-1],
    }


def open_tickets(user, *, now=None) -> dict:
    """Open tickets by severity and by age since reported; how many near or past their SLA.
    Three queries."""
    now = now or timezone.now()
    bands = age_bands()
    rows = list(
        ticket_queue(user, "open")
        .order_by()
        .values("severity_id", "severity__name", "severity__duration_minutes")
        .annotate(n=Count("pk"), **age_band_counts("reported_at", now))
        .order_by("severity__duration_minutes")
    )
    warning = ticket_queue(user, "warning").count()
    breached = ticket_queue(user, "breached").count()
    chart = Chart(
        id="chart-open-tickets",
        title="未关闭问题（按级别、时长）",
        categories=[row["severity__name"] or "未分级" for row in rows],
        series=[
            Series(
                name=band["label"],
                values=[row[band["key"]] for row in rows],
                links=[list_url("aftersales:tickets", queue="open", severity=row["severity_id"]) for row in rows],
                stack="age",
            )
            for band in bands
        ],
        extra_columns=[
            {
                "name": "合计",
                "cells": [
                    (str(row["n"]), list_url("aftersales:tickets", queue="open", severity=row["severity_id"]))
                    for row in rows
                ],
            }
        ],
    )
    return {
        "chart": chart,
        "total": sum(row["n"] for row in rows),
        "warning": warning,
        "breached": breached,
        "open_link": list_url("aftersales:tickets", queue="open"),
        "warning_link": list_url("aftersales:tickets", queue="warning"),
        "breached_link": list_url("aftersales:tickets", queue="breached"),
    }


def _breach_chart(chart_id: str, title: str, groups: list[dict]) -> Chart:
    return Chart(
        id=chart_id,
        title=title,
        categories=[g["label"] for g in groups],
        series=[
            Series(name="超时未关闭", values=[g["open"] for g in groups], links=[g["link"] for g in groups], stack="b"),
            Series(name="本月超时解决", values=[g["late"] for g in groups], stack="b"),
        ],
        extra_columns=[
            {
                "name": "本月 SLA 达成率",
                "cells": [(f"{g['attainment']:.1f}%" if g["attainment"] is not None else "—", None) for g in groups],
            }
        ],
    )


def breaches(user, *, today=None) -> dict:
    """Breaches by region and by person: open tickets past their SLA (the 已超时 queue) and this
    month's tickets resolved late (resolved − met in sla_metrics), with this month's attainment."""
    today = today or timezone.localdate()
    month = today.replace(day=1)
    breached = ticket_queue(user, "breached").order_by()
    by_region = {
        row["project__region__name"]: row
        for row in breached.values("project__region_id", "project__region__name").annotate(n=Count("pk"))
    }
    by_person = {
        row["assignee__display_name"]: row["n"]
        for row in breached.values("assignee__display_name").annotate(n=Count("pk"))
    }
    charts = []
    for chart_id, title, group_by, open_counts in (
        ("chart-breach-region", "超时（按区域）", "region", {k: v["n"] for k, v in by_region.items()}),
        ("chart-breach-person", "超时（按处理人）", "assignee", by_person),
    ):
        figures = sla_metrics(month=month, group_by=group_by)
        key = "project__region__name" if group_by == "region" else "assignee__display_name"
        groups = {}
        for row in figures["rows"]:
            groups[row[key]] = {
                "label": row["label"],
                "late": row["resolved"] - row["met"],
                "attainment": _rate(row["attainment"]),
            }
        for name in open_counts:
            groups.setdefault(name, {"label": name or "（未指派）", "late": 0, "attainment": None})
        ordered = []
        for name, group in groups.items():
            group["open"] = open_counts.get(name, 0)
            region = by_region.get(name) if group_by == "region" else None
            group["link"] = (
                list_url("aftersales:tickets", queue="breached", region=region["project__region_id"])
                if region
                else None
            )
            if group["open"] or group["late"] or group["attainment"] is not None:
                ordered.append(group)
        ordered.sort(key=lambda g: (-(g["open"] + g["late"]), g["label"]))
        charts.append(_breach_chart(chart_id, title, ordered))
    return {
        "region_chart": charts[0],
        "person_chart": charts[1],
        "breached_link": list_url("aftersales:tickets", queue="breached"),
    }
