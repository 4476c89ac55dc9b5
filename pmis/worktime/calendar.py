"""Adding durations on working time or natural time.

Working time is the office day (settings.PMIS_WORKDAY_START to PMIS_WORKDAY_END, Asia/Shanghai)
on working days: Monday to Friday, minus public holidays, plus the weekend days worked in
exchange (调休), as kept in the CalendarDay table."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from pmis.reference import calendar_days

from .models import CalendarDay, Clock


def _hours() -> tuple[time, time]:
    start = time.fromisoformat(settings.PMIS_WORKDAY_START)
    end = time.fromisoformat(settings.PMIS_WORKDAY_END)
    if end <= start:
        raise ValueError("PMIS_WORKDAY_END 必须晚于 PMIS_WORKDAY_START")
    return start, end


class WorkCalendar:
    """Answers "is this a working day" from every holiday and 调休 day, read once per calendar."""

    def __init__(self) -> None:
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.day_start, self.day_end = _hours()
        self._overrides: dict[date, str] | None = None

    def is_working_day(self, day: date) -> bool:
        if self._overrides is None:
            # every holiday and 调休 day at once: a few dozen a year, kept in the cache (pmis.reference)
            self._overrides = calendar_days()
        kind = self._overrides.get(day)
        if kind == CalendarDay.Kind.HOLIDAY:
            return False
        if kind == CalendarDay.Kind.WORKDAY:
            return True
        return day.weekday() < 5

    def _window(self, day: date) -> tuple[datetime, datetime]:
        return (
            datetime.combine(day, self.day_start, tzinfo=self.tz),
            datetime.combine(day, self.day_end, tzinfo=self.tz),
        )

    def add_working(self, start: datetime, duration: timedelta) -> datetime:
        remaining = duration
        current = timezone.localtime(start, self.tz)
        day = current.date()
        while True:
            if self.is_working_day(day):
                open_at, close_at = self._window(day)
                current = max(current, open_at)
                if current < close_at:
                    available = close_at - current
                    if remaining <= available:
                        return current + remaining
                    remaining -= available
            day += timedelta(days=1)
            current = datetime.combine(day, time.min, tzinfo=self.tz)

    def subtract_working(self, end: datetime, duration: timedelta) -> datetime:
        """The latest moment from which `duration` of working time ends at `end`."""
        remaining = duration
        current = timezone.localtime(end, self.tz)
        day = current.date()
        while True:
            if self.is_working_day(day):
                open_at, close_at = self._window(day)
                current = min(current, close_at)
                if current > open_at:
                    available = current - open_at
                    if remaining <= available:
                        return current - remaining
                    remaining -= available
            day -= timedelta(days=1)
            current = datetime.combine(day, time.max, tzinfo=self.tz)

    def working_between(self, start: datetime, end: datetime) -> timedelta:
        if end <= start:
            return timedelta(0)
        start, end = timezone.localtime(start, self.tz), timezone.localtime(end, self.tz)
        total = timedelta(0)
        day = start.date()
        while day <= end.date():
            if self.is_working_day(day):
                open_at, close_at = self._window(day)
                lo, hi = max(open_at, start), min(close_at, end)
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total


def add_duration(start: datetime, duration: timedelta, clock: str) -> datetime:
    """The moment `duration` after `start` on the given clock (Clock.WORKING or Clock.NATURAL)."""
    if duration < timedelta(0):
        raise ValueError("时长不能为负")
    if clock == Clock.NATURAL:
        return start + duration
    if clock == Clock.WORKING:
        return WorkCalendar().add_working(start, duration)
    raise ValueError(f"未知的计时方式：{clock}")


def subtract_duration(end: datetime, duration: timedelta, clock: str) -> datetime:
    """The moment `duration` before `end` on the given clock: the cut-off for "waiting longer than"."""
    if duration < timedelta(0):
        raise ValueError("时长不能为负")
    if clock == Clock.NATURAL:
        return end - duration
    if clock == Clock.WORKING:
        return WorkCalendar().subtract_working(end, duration)
    raise ValueError(f"未知的计时方式：{clock}")


def elapsed(start: datetime, end: datetime, clock: str) -> timedelta:
    """How much of a clock ran between two moments (for pauses and SLA figures)."""
    if clock == Clock.NATURAL:
        return max(end - start, timedelta(0))
    return WorkCalendar().working_between(start, end)
