import pytest
from django.core.exceptions import PermissionDenied

from aftersales import services as aftersales_services
from aftersales.models import Ticket
from approvals.errors import DomainError
from operations import services
from pmis.notify.models import Notification
from pmis.worktime.models import SlaPolicy
from pmis.worktime.services import calendar_fill

from .conftest import at

pytestmark = pytest.mark.django_db


def test_the_national_day_roster_takes_its_days_from_the_calendar(org):
    calendar_fill(years=[2026])
    roster = services.duty_roster_create(holiday="国庆节", year=2026, actor=org["emergency"])
    assert (roster.first_day.isoformat(), roster.last_day.isoformat()) == ("2026-10-01", "2026-10-07")
    spring = services.duty_roster_create(holiday="春节", year=2026, actor=org["aftersales_manager"])
    assert (spring.first_day.isoformat(), spring.last_day.isoformat()) == ("2026-02-15", "2026-02-23")
    with pytest.raises(DomainError, match="已存在"):
        services.duty_roster_create(holiday="国庆节", year=2026, actor=org["emergency"])


def test_refusals(org):
    with pytest.raises(DomainError, match="load_holidays"):
        services.duty_roster_create(holiday="国庆节", year=2026, actor=org["emergency"])
    calendar_fill(years=[2026])
    with pytest.raises(PermissionDenied):
        services.duty_roster_create(holiday="国庆节", year=2026, actor=org["implementer"])
    with pytest.raises(DomainError, match="国庆"):
        services.duty_roster_create(holiday="清明节", year=2026, actor=org["emergency"])
    roster = services.duty_roster_create(holiday="国庆节", year=2026, actor=org["emergency"])
    with pytest.raises(DomainError, match="不在"):
        services.duty_shift_set(
            roster=roster, day=at(2026, 10, 8, 0, 0).date(), user=org["aftersales"], phone="", actor=org["emergency"]
        )


def test_urgent_tickets_on_a_holiday_go_to_the_person_on_duty_once(org, live, time_machine):
    calendar_fill(years=[2026])
    roster = services.duty_roster_create(holiday="国庆节", year=2026, actor=org["emergency"])
    services.duty_shift_set(
        roster=roster, day=at(2026, 10, 3, 0, 0).date(), user=org["cs_staff"], phone="139", actor=org["emergency"]
    )
    time_machine.move_to(at(2026, 10, 3, 9, 30), tick=False)
    assert services.on_duty().user == org["cs_staff"]
    ticket = aftersales_services.ticket_create(
        project=live,
        actor=org["aftersales"],
        data={
            "subject": "全院无法签章",
            "reporting_unit": "信息科",
            "reporter": "张工",
            "reported_at": at(2026, 10, 3, 9, 20),
            "channel": Ticket.Channel.PHONE,
            "description": "报错",
        },
    )
    aftersales_services.ticket_triage(
        ticket=ticket, actor=org["aftersales"], severity=SlaPolicy.objects.get(code="ticket-urgent")
    )
    assert services.duty_urgent_tickets_sweep() == 1
    assert services.duty_urgent_tickets_sweep() == 0
    told = Notification.objects.filter(kind="duty_ticket", object_id=ticket.pk)
    assert list(told.values_list("recipient__username", flat=True)) == ["cs_staff"]
    time_machine.move_to(at(2026, 10, 9, 9, 30), tick=False)
    assert services.on_duty() is None and services.duty_urgent_tickets_sweep() == 0
