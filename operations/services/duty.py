"""长假值班 (003 长假值班流程, 适用范围：国庆、春节): a roster per long holiday, its days taken from
the working calendar (CalendarDay, loaded by load_holidays); incidents and urgent tickets that come
in on a rostered day go to the person on duty."""

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from approvals.errors import DomainError
from pmis.audit.services import audit_record
from pmis.notify.services import notify, notify_once
from pmis.org.selectors import user_role_codes
from pmis.worktime.models import CalendarDay

from ..models import DutyRoster, DutyShift

# The long holidays of 003, by the names the calendar gives them.
LONG_HOLIDAYS = ("春节", "国庆节")
URGENT_SEVERITY = "ticket-urgent"


def can_plan_duty(user) -> bool:
    return user.is_superuser or bool(user_role_codes(user) & {"emergency_team", "aftersales_manager"})


def holiday_days(holiday: str, year: int) -> tuple[date, date] | None:
    """The first and last day of a long holiday as the calendar has it: the run of consecutive days
    off that contains the days named `holiday` in `year`."""
    named = list(
        CalendarDay.objects.filter(kind=CalendarDay.Kind.HOLIDAY, name=holiday, date__year=year)
        .order_by("date")
        .values_list("date", flat=True)
    )
    if not named:
        return None
    off = set(
        CalendarDay.objects.filter(
            kind=CalendarDay.Kind.HOLIDAY,
            date__gte=named[0] - timedelta(days=10),
            date__lte=named[-1] + timedelta(days=10),
        ).values_list("date", flat=True)
    )
    first, last = named[0], named[-1]
    while first - timedelta(days=1) in off:
        first -= timedelta(days=1)
    while last + timedelta(days=1) in off:
        last += timedelta(days=1)
    return first, last


@transaction.atomic
def duty_roster_create(*, holiday: str, year: int, actor) -> DutyRoster:
    if not can_plan_duty(actor):
        raise PermissionDenied("只有应急小组或售后运维部经理可以编排长假值班")
    if holiday not in LONG_HOLIDAYS:
        raise DomainError(f"长假值班只适用于{'、'.join(LONG_HOLIDAYS)}")
    days = holiday_days(holiday, year)
    if days is None:
        raise DomainError(f"工作日历中没有 {year} 年{holiday}的放假安排，请先由管理员导入节假日（load_holidays）")
    if DutyRoster.objects.filter(holiday=holiday, year=year).exists():
        raise DomainError(f"{year} 年{holiday}的值班表已存在")
    roster = DutyRoster.objects.create(
        holiday=holiday, year=year, first_day=days[0], last_day=days[1], created_by=actor
    )
    audit_record(
        subject=roster,
        action="duty.roster",
        label="创建长假值班表",
        actor=actor,
        details={"first_day": days[0].isoformat(), "last_day": days[1].isoformat()},
    )
    return roster


@transaction.atomic
def duty_shift_set(*, roster: DutyRoster, day: date, user, phone: str, actor) -> DutyShift:
    """Put someone on duty for one day of the roster (replacing whoever was)."""
    if not can_plan_duty(actor):
        raise PermissionDenied("只有应急小组或售后运维部经理可以编排长假值班")
    if not (roster.first_day <= day <= roster.last_day):
        raise DomainError(f"{day:%Y-%m-%d} 不在{roster}的假期内（{roster.first_day:%m-%d} 至 {roster.last_day:%m-%d}）")
    shift, _ = DutyShift.objects.select_for_update().update_or_create(
        day=day, defaults={"roster": roster, "user": user, "phone": phone.strip()}
    )
    audit_record(subject=roster, action="duty.shift", label=f"安排值班：{day:%m-%d} {user}", actor=actor)
    notify(
        recipients=[user],
        title=f"长假值班安排：{day:%Y-%m-%d}",
        body=f"您被安排在{roster}中 {day:%Y-%m-%d} 值班；期间的突发事件与紧急问题将转给您。",
        link=roster.get_absolute_url(),
        subject=roster,
        kind="duty_assigned",
    )
    return shift


def on_duty(at: datetime | None = None) -> DutyShift | None:
    """The shift covering a moment, if it falls on a rostered holiday day."""
    day = timezone.localdate(at or timezone.now())
    return DutyShift.objects.select_related("user", "roster").filter(day=day).first()


def duty_urgent_tickets_sweep(*, now: datetime | None = None) -> int:
    """Tell the person on duty about every urgent ticket that came in on their day, once each."""
    from aftersales.models import Ticket

    now = now or timezone.now()
    shift = on_duty(now)
    if shift is None:
        return 0
    start = timezone.make_aware(datetime.combine(shift.day, datetime.min.time()))
    urgent = Ticket.objects.filter(
        severity__code=URGENT_SEVERITY, reported_at__gte=start, resolved_at__isnull=True
    ).exclude(state=Ticket.State.CLOSED)
    told = 0
    for ticket in urgent:
        with transaction.atomic():
            told += bool(
                notify_once(
                    job="duty_urgent_ticket",
                    period=shift.day.isoformat(),
                    recipients=[shift.user],
                    subject=ticket,
                    title=f"值班：紧急问题 {ticket.number} {ticket.subject}",
                    body=f"长假期间的紧急问题转值班人员处理（{shift.roster}）。",
                    link=ticket.get_absolute_url(),
                    kind="duty_ticket",
                )
            )
    return told
