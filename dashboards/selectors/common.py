from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q
from django.urls import reverse


def list_url(name: str, **params) -> str:
    """A list page with its filters in the URL (empty filters left out)."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name) + (f"?{query}" if query else "")


def rows_shown() -> int:
    return settings.PMIS_DASHBOARD_ROWS


def age_bands() -> list[dict]:
    """The age bands of waiting work, from the PMIS_DASHBOARD_AGE_DAYS setting (e.g. 1, 3, 7 →
    1 天内, 1–3 天, 3–7 天, 7 天以上)."""
    days = sorted({d for d in settings.PMIS_DASHBOARD_AGE_DAYS if d > 0})
    bands, lower = [], 0
    for upper in days:
        label = f"{upper} 天内" if lower == 0 else f"{lower}–{upper} 天"
        bands.append({"key": f"age_{lower}_{upper}", "label": label, "lower": lower, "upper": upper})
        lower = upper
    bands.append(
        {"key": f"age_{lower}_", "label": f"{lower} 天以上" if lower else "全部", "lower": lower, "upper": None}
    )
    return bands


def age_band_counts(field: str, now) -> dict:
    """Aggregates counting rows per age band of `field` (a datetime), for .aggregate/.annotate."""
    counts = {}
    for band in age_bands():
        condition = Q(**{f"{field}__lte": now - timedelta(days=band["lower"])})
        if band["upper"] is not None:
            condition &= Q(**{f"{field}__gt": now - timedelta(days=band["upper"])})
        counts[band["key"]] = Count("pk", filter=condition)
    return counts


def recent_months(today: date, count: int | None = None) -> list[date]:
    """The first days of the last `count` months, oldest first, this month last."""
    count = count or settings.PMIS_DASHBOARD_MONTHS
    months, month = [], today.replace(day=1)
    for _ in range(max(count, 1)):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months[::-1]


def percent(part, whole) -> float | None:
    return round(part * 100 / whole, 1) if whole else None
