"""Demo data that gives each dashboard something to show: projects in several phases in both
regions (two of them long at a gate), weekly reports, SaaS projects handed over to customer
success (one accepted, one waiting on the 客户成功负责人), a local project handed over to 系统服务部,
tickets resolved on time and late, one past its SLA and one worked by 客户成功部, and an outsourcing
task. State changes go through the services; the projects that started before the system are
entered as they stand, like the other demo projects.

Tickets are registered under today's rules (a 申报时间 at most 3 days back). The SLA trend needs
one from last month: it is worked through the services today and then its whole history is moved
back a few weeks (see _move_into_past) — demo history only, nothing a user could do."""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from aftersales import services as aftersales
from aftersales.models import Handover, Ticket
from approvals.models import Task
from delivery.demo import demo_acceptance_complete
from pmis.audit.models import AuditEntry
from pmis.notify.models import Notification
from pmis.org.models import Region, User
from pmis.worktime.models import SlaPolicy
from projects import services as projects
from projects.models import Project, State
from projects.team import grant_groups, grant_user
from registrations.demo import CHECKED, _registration
from registrations.models import Kind
from registrations.services import registration_decide, registration_submit

# code, name, customer, region, kind, phase, days in that phase
PROJECTS = (
    ("PJ2026-0901", "深圳某港口集团电子签章项目", "深圳某港口集团有限公司", "south", "local", State.IMPLEMENTING, 5),
    ("PJ2026-0902", "杭州某银行电子合同项目", "杭州某银行股份有限公司", "south", "local", State.TRIAL_RUN, 24),
    ("PJ2026-0903", "天津某制造集团电子签章项目", "天津某制造集团有限公司", "north", "local", State.ACCEPTANCE, 31),
    ("PJ2026-0904", "青岛某物流SaaS项目", "青岛某物流有限公司", "north", "saas", State.MAINTENANCE, 90),
    ("PJ2026-0905", "厦门某医院SaaS项目", "厦门某医院", "south", "saas", State.MAINTENANCE, 60),
    ("PJ2026-0906", "济南某保险SaaS项目", "济南某保险有限公司", "north", "saas", State.ACCEPTANCE, 3),
    ("PJ2026-0907", "成都某能源SaaS项目", "成都某能源有限公司", "south", "saas", State.ACCEPTANCE, 2),
    ("PJ2026-0908", "石家庄某税务电子印章项目", "石家庄某税务局", "north", "local", State.ACCEPTANCE, 4),
)
PMS = {"north": "regional_pm", "south": "regional_pm_south"}


def _project(spec, users) -> Project:
    code, name, customer, region, kind, phase, days = spec
    pm = users[PMS[region]]
    project = Project.objects.create(
        code=code, name=name, kind=kind, customer_name=customer, region=Region.objects.get(code=region), pm=pm,
        state=phase, basis="历史项目",
    )  # fmt: skip
    Project.objects.filter(pk=project.pk).update(created_at=timezone.now() - timedelta(days=days))
    grant_user(project, pm, "manage_project")
    grant_groups(project)
    return project


def _ticket(project, actor, subject, *, hours_ago, severity):
    data = {
        "subject": subject,
        "reporting_unit": project.customer_name,
        "reporter": "李工",
        "description": subject,
        "channel": Ticket.Channel.PHONE,
        "reported_at": timezone.now() - timedelta(hours=hours_ago),
    }
    ticket = aftersales.ticket_create(project=project, actor=actor, data=data)
    return aftersales.ticket_triage(ticket=ticket, actor=actor, severity=SlaPolicy.objects.get(code=severity))


def _shift(queryset, back: timedelta) -> None:
    """Move every date-time of the rows `back` into the past (null ones stay null)."""
    fields = [f.name for f in queryset.model._meta.concrete_fields if isinstance(f, models.DateTimeField)]
    queryset.update(**{name: F(name) - back for name in fields})


def _move_into_past(ticket: Ticket, back: timedelta) -> None:
    """DEMO HISTORY ONLY: a ticket worked through the services today, with its inbox tasks, audit
    trail and notifications moved `back` as a whole, so that last month has figures to show.
    The SLA verdict the services reached (late or on time) is unchanged by the move."""
    kind = ContentType.objects.get_for_model(Ticket)
    from aftersales.services.rollup import contribution, rollup_apply

    before = contribution(Ticket.objects.select_related("project").get(pk=ticket.pk))
    _shift(Ticket.objects.filter(pk=ticket.pk), back)
    rollup_apply(before, Ticket.objects.select_related("project").get(pk=ticket.pk))  # now last month's
    for model in (Task, AuditEntry, Notification):
        _shift(model.objects.filter(content_type=kind, object_id=ticket.pk), back)


@transaction.atomic
def demo_dashboards_seed() -> int:
    if Project.objects.filter(code=PROJECTS[0][0]).exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=[
        "sales", "business_approver", "regional_pm", "regional_pm_south", "cs_head", "cs_staff", "aftersales",
        "aftersales_manager", "cm_engineer",
    ])}  # fmt: skip
    made = {spec[0]: _project(spec, users) for spec in PROJECTS}

    # weekly reports: this week two of the projects in delivery, last week three
    this_week = projects.week_of(timezone.localdate())
    for code, weeks in (("PJ2026-0901", (0, 1)), ("PJ2026-0902", (1,)), ("PJ2026-0903", (0, 1))):
        project = made[code]
        for back in weeks:
            projects.weekly_report_file(
                project=project, actor=project.pm, last_week="完成测试环境部署与联调", this_week="用户培训与上线准备",
                week_start=this_week - timedelta(weeks=back),
            )  # fmt: skip

    # two SaaS projects handed over to customer success: one accepted, one waiting on the head;
    # a local one handed over to 系统服务部, waiting on its audit of the materials
    for code in ("PJ2026-0906", "PJ2026-0907", "PJ2026-0908"):
        project = made[code]
        # the acceptance documents of its size, the report approved by the CM engineer and 客户服务部
        demo_acceptance_complete(project, cm=users["cm_engineer"], service=users["aftersales"])
        handover = aftersales.handover_submit(project=project, actor=project.pm, note="验收资料齐全")
        if code == "PJ2026-0906":
            handover = aftersales.handover_cs_head_decide(handover=handover, actor=users["cs_head"], approve=True)
            verdicts = {item.pk: ("ok", "") for item in handover.items.all()}
            aftersales.handover_audit(handover=handover, actor=users["cs_staff"], verdicts=verdicts)
    assert Handover.objects.filter(project=made["PJ2026-0907"], state=Handover.State.PENDING_CS_HEAD).exists()
    assert Handover.objects.filter(project=made["PJ2026-0908"], state=Handover.State.PENDING_AUDIT).exists()

    # tickets: one resolved in time, one (reported last month) resolved late, one urgent past its SLA
    engineer = users["aftersales"]
    resolved = (("批量签署偶发超时", 2, "ticket-medium"), ("证书更新后无法签章", 24, "ticket-serious"))
    for subject, hours, severity in resolved:
        ticket = _ticket(made["PJ2026-0904"], engineer, subject, hours_ago=hours, severity=severity)
        ticket = aftersales.ticket_assign(ticket=ticket, actor=engineer, to=engineer)
        ticket = aftersales.ticket_start(ticket=ticket, actor=engineer)
        ticket = aftersales.ticket_resolve(ticket=ticket, actor=engineer, resolution="已更新配置并验证")
    # reported a day ago, 严重 (8 h), resolved now: late. Moved to the middle of last month.
    assert ticket.sla_met is False
    _move_into_past(ticket, timedelta(days=timezone.localdate().day + 14))
    urgent = _ticket(made["PJ2026-0905"], engineer, "医院门诊签名服务中断", hours_ago=6, severity="ticket-urgent")
    aftersales.ticket_assign(
        ticket=urgent, actor=users["aftersales_manager"], to=users["regional_pm_south"], dispatch=True
    )
    # a SaaS customer's question worked by 客户成功部
    saas = _ticket(made["PJ2026-0904"], engineer, "部分签署方收不到短信验证码", hours_ago=1, severity="ticket-medium")
    aftersales.ticket_assign(ticket=saas, actor=engineer, to=users["cs_staff"])

    # a registration whose business review asked for outsourcing (外采)
    r = _registration(users["sales"], Kind.LOCAL, "演示鲁南化工", signed=True, paid=True, province="山东")
    r = registration_submit(registration=r, actor=users["sales"])
    registration_decide(
        registration=r, actor=users["business_approver"], decision="approve", comment="需外采 UKey",
        review={**CHECKED, "outsourcing_needed": True},
    )  # fmt: skip
    return len(PROJECTS)
