"""Durations as people say them: 6 小时, 7 天, 1 天 2 小时 30 分钟 — never raw seconds or minutes."""

from datetime import timedelta


def duration_text(value: timedelta | int | float | None) -> str:
    """A duration (a timedelta, or seconds) in days, hours and minutes, largest unit first, zero
    units left out; under a minute reads “不足 1 分钟”, nothing reads “—”."""
    if value is None:
        return "—"
    seconds = int(value.total_seconds() if isinstance(value, timedelta) else value)
    if seconds < 0:
        return "—"
    minutes_total = seconds // 60
    if minutes_total == 0:
        return "0 分钟" if seconds == 0 else "不足 1 分钟"
    days, rest = divmod(minutes_total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((days, "天"), (hours, "小时"), (minutes, "分钟")) if n]
    return " ".join(parts)
