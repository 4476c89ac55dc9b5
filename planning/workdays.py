"""Whole working days on the company calendar (pmis.worktime): a plan's dates are counted in
these, so a holiday or a 调休 Saturday moves a plan the way it moves the people doing it."""

from datetime import date, timedelta

from pmis.worktime.calendar import WorkCalendar

ONE = timedelta(days=1)


class Workdays:
    def __init__(self, calendar: WorkCalendar | None = None) -> None:
        self.calendar = calendar or WorkCalendar()

    def is_working(self, day: date) -> bool:
        return self.calendar.is_working_day(day)

    def snap(self, day: date) -> date:
        """The day itself when it is a working day, else the next working day."""
        while not self.is_working(day):
            day += ONE
        return day

    def after(self, day: date) -> date:
        """The first working day after `day` (where a finish-to-start dependant may begin)."""
        return self.snap(day + ONE)

    def shift(self, day: date, n: int) -> date:
        """`n` working days later (earlier when negative), from `day` snapped to a working day."""
        day = self.snap(day)
        step = ONE if n >= 0 else -ONE
        for _ in range(abs(n)):
            day += step
            while not self.is_working(day):
                day += step
        return day

    def count(self, start: date, end: date) -> int:
        """Working days from start to end, both included."""
        total, day = 0, start
        while day <= end:
            total += self.is_working(day)
            day += ONE
        return total

    def delta(self, old: date, new: date) -> int:
        """How many working days `new` is after `old` (negative when before)."""
        if new >= old:
            return self.count(old + ONE, new)
        return -self.count(new + ONE, old)

    def span(self, start: date, days: int) -> date:
        """The end of a task of `days` working days that starts on `start` (snapped)."""
        return self.shift(start, max(days, 1) - 1)
