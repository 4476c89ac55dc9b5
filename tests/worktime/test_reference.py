"""Policies, holidays, regions, departments and role groups are read from the kept reference rows
(pmis.reference): a warm page reads none of their tables, and an edit, from the admin or a
service, shows on the next page at once."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning.health import WINDOW_POLICY, window_days
from pmis.org.models import Department, Region
from pmis.worktime.calendar import add_duration
from pmis.worktime.models import CalendarDay, Clock, SlaPolicy

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
REFERENCE_TABLES = ("worktime_slapolicy", "worktime_calendarday", "org_region", "org_department", "auth_group")


@pytest.fixture(autouse=True)
def kept(settings):
    settings.PMIS_LAYOUT_CACHE = "default"  # the production arrangement (each test starts it empty)


def _reference_reads(sqls):
    return [sql for sql in sqls if any(f'FROM "{table}"' in sql for table in REFERENCE_TABLES)]


def _get(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in ctx.captured_queries]


def test_a_holiday_entered_after_the_calendar_was_kept_moves_a_deadline_at_once():
    start = datetime(2026, 4, 30, 16, tzinfo=SH)  # Thursday afternoon: 2 working hours left
    eight_hours = timedelta(hours=8)
    assert add_duration(start, eight_hours, Clock.WORKING) == datetime(2026, 5, 1, 15, tzinfo=SH)
    with CaptureQueriesContext(connection) as ctx:
        add_duration(start, eight_hours, Clock.WORKING)
    assert ctx.captured_queries == []  # the calendar is kept

    holiday = CalendarDay.objects.create(date=date(2026, 5, 1), kind=CalendarDay.Kind.HOLIDAY, name="劳动节")
    # Friday off, then the weekend: the six hours left fall on Monday
    assert add_duration(start, eight_hours, Clock.WORKING) == datetime(2026, 5, 4, 15, tzinfo=SH)
    holiday.delete()
    assert add_duration(start, eight_hours, Clock.WORKING) == datetime(2026, 5, 1, 15, tzinfo=SH)


def test_a_policy_edited_in_the_admin_applies_at_once(admin_client):
    policy = SlaPolicy.objects.create(
        code=WINDOW_POLICY, name="计划项即将到期", clock=Clock.WORKING, duration_minutes=27 * 60
    )
    assert window_days() == 3
    with CaptureQueriesContext(connection) as ctx:
        assert window_days() == 3
    assert ctx.captured_queries == []

    change = reverse("admin:worktime_slapolicy_change", args=[policy.pk])
    form = {
        "code": policy.code,
        "name": policy.name,
        "clock": Clock.WORKING,
        "duration_minutes": 45 * 60,
        "warn_percent": policy.warn_percent,
    }
    response = admin_client.post(change, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert window_days() == 5


def test_a_warm_list_reads_no_reference_table_and_a_new_region_is_offered_at_once(client, org):
    client.force_login(org["project_director"])
    path = reverse("projects:all")
    _, cold = _get(client, path)
    body, warm = _get(client, path)
    assert _reference_reads(cold), "the first page reads the rows it keeps"
    assert _reference_reads(warm) == []
    assert "西北区" not in body

    region = Region.objects.create(code="northwest", name="西北区", svn_path_template="/{region}/{year}/{project}")
    body, _ = _get(client, path)
    assert f'<option value="{region.pk}">西北区</option>' in body
    body, _ = _get(client, f"{path}?region={region.pk}")
    assert f'<option value="{region.pk}" selected>西北区</option>' in body  # chosen, checked against the table


def test_the_workbench_names_a_renamed_department_at_once(client, org):
    user = org["project_director"]
    assert user.department_id is not None
    client.force_login(user)
    body, _ = _get(client, "/")
    body, warm = _get(client, "/")
    assert _reference_reads(warm) == []
    department = Department.objects.get(pk=user.department_id)
    assert f"<dd>{department.name}</dd>" in body

    department.name = "交付中心"
    department.save()
    body, _ = _get(client, "/")
    assert "<dd>交付中心</dd>" in body


def test_a_warm_ticket_queue_offers_its_levels_from_the_kept_policies(client, org):
    client.force_login(org["aftersales"])
    path = reverse("aftersales:tickets")
    _get(client, path)
    body, warm = _get(client, path)
    assert _reference_reads(warm) == []
    assert "紧急" in body.split('name="severity"', 1)[1].split("</select>", 1)[0]
    urgent = SlaPolicy.objects.get(code="ticket-urgent")
    urgent.name = "特急"
    urgent.save()
    body, _ = _get(client, path)
    assert f'<option value="{urgent.pk}">特急</option>' in body
