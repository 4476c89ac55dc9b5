"""What people see of operations: each list starts from what the user may see."""

from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from pmis import reference
from pmis.org.selectors import user_role_codes
from pmis.worktime.services import TRANSFER_POLICY
from projects.models import Project
from projects.selectors import projects_visible

from .models import Complaint, DutyRoster, Incident, Inspection, OnsiteVisit, Repair
from .services.common import OPERATIONS_ROLES, can_view_operations


def _visible_projects(user) -> QuerySet[Project] | None:
    """None means every project (operations staff)."""
    if user.is_superuser or user_role_codes(user) & OPERATIONS_ROLES:
        return None
    return projects_visible(user)


def incidents_visible(user) -> QuerySet[Incident]:
    if not user.is_authenticated:
        return Incident.objects.none()
    projects = _visible_projects(user)
    incidents = Incident.objects.all() if projects is None else Incident.objects.filter(project__in=projects)
    return incidents.select_related("project", "handler")


def incident_can_view(user, incident: Incident) -> bool:
    return can_view_operations(user, incident.project)


def project_incidents(user, project: Project) -> list[Incident]:
    return list(incidents_visible(user).filter(project=project).order_by("-reported_at")[:50])


def onsite_visible(user) -> QuerySet[OnsiteVisit]:
    if not user.is_authenticated:
        return OnsiteVisit.objects.none()
    projects = _visible_projects(user)
    visits = (
        OnsiteVisit.objects.all()
        if projects is None
        else OnsiteVisit.objects.filter(Q(project__in=projects) | Q(engineer=user))
    )
    return visits.select_related("project", "engineer", "province")


def project_onsite(user, project: Project) -> dict:
    return {
        "visits": list(onsite_visible(user).filter(project=project).order_by("-requested_at")[:50]),
        "repairs": list(
            Repair.objects.filter(project=project).select_related("engineer").order_by("-received_at")[:50]
        ),
    }


def project_inspections(user, project: Project) -> dict:
    return {
        "plan": getattr(project, "inspection_plan", None),
        "inspections": list(
            Inspection.objects.filter(project=project).select_related("done_by").order_by("-month")[:24]
        ),
    }


def duty_rosters() -> QuerySet[DutyRoster]:
    return DutyRoster.objects.prefetch_related("shifts__user").order_by("-first_day")


# -- metrics (003 度量考核) --------------------------------------------------------------------


def _month_range(month: date) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return datetime.combine(first, time.min, tzinfo=tz), datetime.combine(nxt, time.min, tzinfo=tz)


def _rate(met: int, judged: int) -> dict:
    return {"met": met, "judged": judged, "rate": round(met * 100 / judged, 1) if judged else None}


def operations_metrics(*, month: date | None, region=None) -> dict:
    """The operations rows of the SLA metrics page, each with its formula."""
    from aftersales.models import Ticket

    tickets = Ticket.objects.all()
    incidents, visits = Incident.objects.all(), OnsiteVisit.objects.all()
    complaints = Complaint.objects.all()
    if month is not None:
        start, end = _month_range(month)
        tickets = tickets.filter(reported_at__gte=start, reported_at__lt=end)
        incidents = incidents.filter(reported_at__gte=start, reported_at__lt=end)
        visits = visits.filter(requested_at__gte=start, requested_at__lt=end)
        complaints = complaints.filter(recorded_at__gte=start, recorded_at__lt=end)
    if region is not None:
        tickets = tickets.filter(project__region=region)
        incidents = incidents.filter(project__region=region)
        visits = visits.filter(project__region=region)
        complaints = complaints.filter(ticket__project__region=region)
    transfer = reference.policy(TRANSFER_POLICY)
    limit = transfer.duration if transfer else timedelta(minutes=30)
    # one pass over the month's tickets (the covering index on reported_at holds these columns)
    responded = Q(first_response_at__isnull=False, response_due_at__isnull=False)
    figures = tickets.aggregate(
        assigned=Count("pk", filter=Q(first_assigned_at__isnull=False)),
        transferred_in_time=Count("pk", filter=Q(first_assigned_at__lte=F("created_at") + limit)),
        responded=Count("pk", filter=responded),
        response_met=Count("pk", filter=responded & Q(first_response_at__lte=F("response_due_at"))),
    )
    transfer_rate = _rate(figures["transferred_in_time"], figures["assigned"])
    response_rate = _rate(figures["response_met"], figures["responded"])
    # the month's visits in one pass, as its tickets
    on_site = visits.aggregate(
        arrived=Count("pk", filter=Q(arrived_at__isnull=False)),
        arrived_in_time=Count("pk", filter=Q(arrived_at__lte=F("arrival_due_at"))),
        contacted=Count("pk", filter=Q(contacted_at__isnull=False)),
        contacted_in_time=Count("pk", filter=Q(contacted_at__lte=F("contact_due_at"))),
    )
    arrival_rate = _rate(on_site["arrived_in_time"], on_site["arrived"])
    contact_rate = _rate(on_site["contacted_in_time"], on_site["contacted"])
    recover = ExpressionWrapper(F("recovered_at") - F("outage_started_at"), output_field=DurationField())
    by_level = {
        row["level"]: row
        for row in incidents.values("level")
        .annotate(
            n=Count("id"),
            recovered=Count("recovered_at"),
            avg=Avg(recover, filter=Q(recovered_at__isnull=False)),
            escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
        )
        .order_by()
    }
    levels = [
        {
            "label": label,
            "n": by_level.get(code, {}).get("n", 0),
            "recovered": by_level.get(code, {}).get("recovered", 0),
            "minutes": round(by_level[code]["avg"].total_seconds() / 60) if by_level.get(code, {}).get("avg") else None,
        }
        for code, label in Incident.Level.choices
    ]
    limit_text = transfer.summary if transfer else "30 分钟"
    return {
        "transfer": transfer_rate,
        "transfer_limit": limit_text,
        "complaints": complaints.count(),
        "response": response_rate,
        "arrival": arrival_rate,
        "contact": contact_rate,
        "incident_levels": levels,
        "escalated": sum(row["escalated"] for row in by_level.values()),
        "formulas": [
            (
                "技术支持转单时长达标率",
                f"登记后在“技术支持转单时长”（{limit_text}）内首次转给处理人的问题数 ÷ 已转单的问题数"
                "（按申报时间所在月）",
            ),
            ("客户投诉次数", "当月登记为客户投诉的售后问题数（问题页“登记客户投诉”）"),
            ("首次响应达成率", "首次响应时间不晚于首次响应时限的问题数 ÷ 已首次响应的问题数"),
            (
                "现场到场达成率",
                "到场时间不晚于到场时限（有分支机构的省份 1 小时、没有的 48 小时）的现场服务数 ÷ 已到场的现场服务数"
                "（按申请时间所在月）",
            ),
            ("电话联系达成率", "在 4 个工作小时内电话联系客户的现场服务数 ÷ 已联系的现场服务数"),
            (
                "突发事件按级别",
                "当月报告的突发事件按一级 / 二级 / 三级计数；"
                "平均恢复时长 = 恢复时间 − 停止服务开始时间，取已恢复事件的平均值",
            ),
        ],
    }
