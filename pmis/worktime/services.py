from django.db import transaction

from .models import CalendarDay, Clock, SlaPolicy

# DESIGN.md §2.3 and seed 003: 紧急 4 h, 严重 8 h, 中等 48 h, 一般 one week of natural days; each
# severity's first response within 4 working hours (004 §8.1.2). Approval steps get one working
# day by default. Triage of a new ticket is chased after 30 minutes; a ticket may be registered
# (补录) up to 3 days after it was reported.
RESPONSE = {"response_clock": Clock.WORKING, "response_minutes": 4 * 60}
TRIAGE_POLICY = "aftersales-triage"
BACKDATE_POLICY = "aftersales-backdate"
DEFAULT_POLICIES: tuple[dict, ...] = (
    {"code": "ticket-urgent", "name": "紧急", "clock": Clock.NATURAL, "duration_minutes": 4 * 60, **RESPONSE,
     "description": "产品已无法正常完成工作，对客户的使用产生了严重影响"},
    {"code": "ticket-serious", "name": "严重", "clock": Clock.NATURAL, "duration_minutes": 8 * 60, **RESPONSE,
     "description": "无法稳定使用、无法保证安全"},
    {"code": "ticket-medium", "name": "中等", "clock": Clock.NATURAL, "duration_minutes": 48 * 60, **RESPONSE,
     "description": "打断日常工作、服务质量下降"},
    {"code": "ticket-normal", "name": "一般", "clock": Clock.NATURAL, "duration_minutes": 7 * 24 * 60, **RESPONSE,
     "description": "影响日常效率；1 周内（自然日）"},
    {"code": "approval-step", "name": "审批环节", "clock": Clock.WORKING, "duration_minutes": 9 * 60,
     "description": "每个审批环节默认 1 个工作日"},
    {"code": TRIAGE_POLICY, "name": "售后问题分级", "clock": Clock.NATURAL, "duration_minutes": 30,
     "description": "问题申报单登记后须在此时限内分级；75% 时提醒系统服务部，超时升级售后运维部经理"},
    {"code": BACKDATE_POLICY, "name": "申报时间补录时限", "clock": Clock.NATURAL, "duration_minutes": 3 * 24 * 60,
     "description": "登记问题申报单时，申报时间最多可早于登记时间多久（补录）；不得晚于当前时间"},

    {"code": "project-gate-stuck", "name": "项目卡在关口", "clock": Clock.WORKING, "duration_minutes": 10 * 9 * 60,
     "description": "在需求确认、试运行或验收阶段停留超过此时限（默认 10 个工作日）即列为卡在关口"},
    {"code": "satisfaction-link", "name": "满意度调查链接有效期", "clock": Clock.NATURAL,
     "duration_minutes": 14 * 24 * 60,
     "description": "发给客户的满意度调查链接自发出起在此时限内有效，且只能提交一次"},
    {"code": "executive-decision", "name": "高管决定后续工作", "clock": Clock.WORKING, "duration_minutes": 3 * 9 * 60,
     "description": "客户不认可试运行结果后，高管在此时限内决定后续工作安排并下达任务（002 试运行）"},
)  # fmt: skip


@transaction.atomic
def sla_policies_seed() -> int:
    """Create the default policies; a policy an admin has edited keeps its values."""
    created = 0
    for spec in DEFAULT_POLICIES:
        _, was_created = SlaPolicy.objects.get_or_create(
            code=spec["code"], defaults={k: v for k, v in spec.items() if k != "code"}
        )
        created += was_created
    return created


def sla_policy(code: str) -> SlaPolicy:
    return SlaPolicy.objects.get(code=code)


@transaction.atomic
def calendar_fill(*, years: list[int]) -> dict[int, int | None]:
    """Fill the calendar from the chinesecalendar package (the State Council's notices). A day an
    admin has already entered is left as it is. Returns, per year, the days added, or None when
    the package does not know that year yet (the notice is usually published in November)."""
    from chinese_calendar import constants

    chinese_names = {h.value: h.chinese for h in constants.Holiday}
    known_years = {d.year for d in constants.holidays}
    result: dict[int, int | None] = {}
    for year in years:
        if year not in known_years:
            result[year] = None
            continue
        added = 0
        rows = [(d, CalendarDay.Kind.HOLIDAY, n) for d, n in constants.holidays.items() if d.year == year]
        rows += [(d, CalendarDay.Kind.WORKDAY, n) for d, n in constants.workdays.items() if d.year == year]
        for day, kind, english in rows:
            _, was_created = CalendarDay.objects.get_or_create(
                date=day, defaults={"kind": kind, "name": chinese_names.get(english, english)}
            )
            added += was_created
        result[year] = added
    return result
