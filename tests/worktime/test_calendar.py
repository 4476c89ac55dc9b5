from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from pmis.worktime.calendar import add_duration, elapsed
from pmis.worktime.models import CalendarDay, Clock, SlaPolicy
from pmis.worktime.services import calendar_fill, sla_policies_seed

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


@pytest.fixture
def labour_day_2026(db):
    """2026 劳动节: 5/1 (Fri) – 5/5 (Tue) off; Saturday 5/9 worked in exchange."""
    for day in range(1, 6):
        CalendarDay.objects.create(date=date(2026, 5, day), kind=CalendarDay.Kind.HOLIDAY, name="劳动节")
    CalendarDay.objects.create(date=date(2026, 5, 9), kind=CalendarDay.Kind.WORKDAY, name="劳动节")


def test_natural_clock_is_plain_elapsed_time():
    start = at(2026, 4, 30, 16)
    assert add_duration(start, timedelta(days=7), Clock.NATURAL) == start + timedelta(hours=7 * 24)
    assert add_duration(start, timedelta(hours=4), Clock.NATURAL) == at(2026, 4, 30, 20)


def test_eight_working_hours_from_friday_afternoon_before_a_holiday(labour_day_2026):
    # 2 h left on Friday 4/30, the holiday and weekend skipped, 6 h into Wednesday 5/6.
    assert add_duration(at(2026, 4, 30, 16), timedelta(hours=8), Clock.WORKING) == at(2026, 5, 6, 15)


def test_adjusted_working_saturday_counts(labour_day_2026):
    assert add_duration(at(2026, 5, 8, 17), timedelta(hours=2), Clock.WORKING) == at(2026, 5, 9, 10)
    # An ordinary Saturday does not.
    assert add_duration(at(2026, 5, 15, 17), timedelta(hours=2), Clock.WORKING) == at(2026, 5, 18, 10)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (at(2026, 6, 1, 7), at(2026, 6, 1, 10)),  # before the office opens
        (at(2026, 6, 1, 20), at(2026, 6, 2, 10)),  # after it closes
        (at(2026, 6, 6, 12), at(2026, 6, 8, 10)),  # on a Saturday
        (at(2026, 6, 1, 17, 30), at(2026, 6, 2, 9, 30)),  # straddling the evening
    ],
)
def test_starts_outside_working_hours(start, expected):
    assert add_duration(start, timedelta(hours=1), Clock.WORKING) == expected


def test_one_working_day_is_nine_office_hours():
    assert add_duration(at(2026, 6, 1, 9), timedelta(hours=9), Clock.WORKING) == at(2026, 6, 1, 18)
    assert add_duration(at(2026, 6, 1, 14), timedelta(hours=9), Clock.WORKING) == at(2026, 6, 2, 14)


def test_utc_input_is_read_in_shanghai_time():
    start_utc = datetime(2026, 6, 1, 1, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 in Shanghai
    assert add_duration(start_utc, timedelta(hours=2), Clock.WORKING) == at(2026, 6, 1, 11)


def test_elapsed_working_time_skips_nights_and_holidays(labour_day_2026):
    assert elapsed(at(2026, 4, 30, 16), at(2026, 5, 6, 15), Clock.WORKING) == timedelta(hours=8)
    assert elapsed(at(2026, 4, 30, 16), at(2026, 5, 6, 15), Clock.NATURAL) == timedelta(days=5, hours=23)


def test_calendar_fill_from_the_package_knows_2026_national_day():
    result = calendar_fill(years=[2026, 2099])
    assert result[2026] > 0
    assert result[2099] is None  # a year the package has not been told about yet
    oct1 = CalendarDay.objects.get(date=date(2026, 10, 1))
    assert oct1.kind == CalendarDay.Kind.HOLIDAY and oct1.name == "国庆节"
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).kind == CalendarDay.Kind.WORKDAY  # 调休 Saturday
    assert CalendarDay.objects.get(date=date(2026, 5, 9)).kind == CalendarDay.Kind.WORKDAY


def test_calendar_fill_is_idempotent_and_keeps_admin_edits():
    CalendarDay.objects.create(date=date(2026, 10, 1), kind=CalendarDay.Kind.HOLIDAY, name="公司调整")
    calendar_fill(years=[2026])
    count = CalendarDay.objects.count()
    assert calendar_fill(years=[2026]) == {2026: 0}
    assert CalendarDay.objects.count() == count
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).name == "公司调整"


def test_load_holidays_command_reports_each_year():
    out = StringIO()
    call_command("load_holidays", "2026", "2099", stdout=out)
    assert "2026 年：新增" in out.getvalue()
    assert "2099 年：节假日安排尚未收录" in out.getvalue()
    assert SlaPolicy.objects.filter(code="approval-step").exists()


def test_default_sla_policies_match_the_after_sales_levels():
    sla_policies_seed()
    policies = {p.name: p for p in SlaPolicy.objects.all()}
    assert policies["紧急"].duration == timedelta(hours=4)
    assert policies["严重"].duration == timedelta(hours=8)
    assert policies["中等"].duration == timedelta(hours=48)
    assert policies["一般"].duration == timedelta(days=7) and policies["一般"].clock == Clock.NATURAL
    assert policies["审批环节"].clock == Clock.WORKING
    assert all(p.warn_percent == 75 for p in policies.values())
    for name in ("紧急", "严重", "中等", "一般"):  # first contact within 4 working hours (004 §8.1.2)
        assert (policies[name].response_duration, policies[name].response_clock) == (timedelta(hours=4), Clock.WORKING)
        assert policies[name].response_summary == "工作时间，4 小时"
    assert policies["一般"].summary == "自然时间（7×24），7 天"
    assert policies["售后问题分级"].duration == timedelta(minutes=30)
    assert policies["申报时间补录时限"].duration == timedelta(days=3)
    assert policies["审批环节"].response_duration is None
    policies["紧急"].duration_minutes = 120
    policies["紧急"].save()
    assert sla_policies_seed() == 0
    assert SlaPolicy.objects.get(name="紧急").duration_minutes == 120


def test_subtracting_working_time_skips_nights_weekends_and_holidays(labour_day_2026):
    from pmis.worktime.calendar import subtract_duration

    # Monday 5/11 10:00 back 3 working hours: 1 h on Monday, then Saturday 5/9 (调休) 16:00
    assert subtract_duration(at(2026, 5, 11, 10), timedelta(hours=3), Clock.WORKING) == at(2026, 5, 9, 16)
    # back 2 working days from Wednesday 5/6 09:30: 0.5 h on 5/6, the holiday skipped, all of 4/30, 8.5 h of 4/29
    cutoff = subtract_duration(at(2026, 5, 6, 9, 30), timedelta(hours=18), Clock.WORKING)
    assert cutoff == at(2026, 4, 29, 9, 30)
    assert add_duration(cutoff, timedelta(hours=18), Clock.WORKING) == at(2026, 5, 6, 9, 30)
    assert subtract_duration(at(2026, 5, 6, 9), timedelta(days=2), Clock.NATURAL) == at(2026, 5, 4, 9)
