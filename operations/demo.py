"""Demo operations on the maintained demo projects: an incident escalated to the 应急小组, another
whose 事故报告 waits on its review, an on-site visit on its way, this month's inspection, branch
offices by province, a knowledge article, and the National Day duty roster when the calendar has it."""

from contextlib import suppress
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from approvals.errors import DomainError
from pmis.org.models import Province, User
from projects.models import Project

from . import services
from .models import Branch, Incident

BRANCHES = (("北京分公司", "北京"), ("上海分公司", "上海"), ("广州办事处", "广东"), ("成都办事处", "四川"))


@transaction.atomic
def demo_operations_seed() -> int:
    north = Project.objects.filter(code="PJ2026-0904").select_related("pm").first()
    south = Project.objects.filter(code="PJ2026-0905").select_related("pm").first()
    if north is None or south is None or Incident.objects.filter(project=north).exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=["aftersales", "implementer", "emergency"])}
    for name, province in BRANCHES:
        Branch.objects.get_or_create(name=name, province=Province.objects.get(name=province))
    now = timezone.now()

    # an outage reported 25 minutes ago, not solved: escalated to the 应急小组, level 二级 proposed
    services.incident_report(
        project=north,
        actor=north.pm,
        data={
            "title": "SaaS 签署接口大面积超时",
            "reporter": "客户运维李工",
            "channel": Incident.Channel.PHONE,
            "reported_at": now - timedelta(minutes=25),
            "symptoms": "合同签署接口响应超过 30 秒，部分签署失败",
            "level": Incident.Level.THIRD,
        },
    )
    services.incidents_sweep(now=now)

    # one recovered soon after its report, whose 事故报告 waits on the 应急小组's review
    done = services.incident_report(
        project=south,
        actor=south.pm,
        data={
            "title": "证书服务临时宕机重启",
            "reporter": "信息科张工",
            "channel": Incident.Channel.IM,
            "reported_at": now - timedelta(minutes=8),
            "symptoms": "签章时提示证书服务不可用",
            "level": Incident.Level.THIRD,
        },
    )
    done = services.incident_recover(incident=done, actor=south.pm, note="重启证书服务后恢复")
    services.incident_report_submit(
        incident=done,
        actor=south.pm,
        cause="证书服务内存泄漏导致进程退出",
        fix="重启证书服务并升级补丁",
        process="收到告警后 5 分钟定位到进程退出，重启后验证签章正常",
        prevention="增加进程守护与内存监控告警",
    )

    services.onsite_request(
        project=north,
        actor=users["aftersales"],
        province=Province.objects.get(name="山东"),
        address="青岛市某物流园区信息中心",
        reason="签章服务器硬件告警，远程无法排除",
        engineer=users["implementer"],
    )
    services.inspection_plan_set(
        project=north,
        actor=north.pm,
        day_of_month=min(timezone.localdate().day, 28),
        inspector=users["implementer"],
        checklist="服务器资源（CPU、内存、磁盘）\n应用服务运行状态\n数据库备份\n证书与授权有效期",
        agreed_with="客户运维李工",
    )
    services.inspections_open_due()

    from knowledge.services import article_create

    article_create(
        actor=users["aftersales"],
        data={
            "title": "证书更新后无法签章",
            "problem": "更新证书后签章提示证书链不完整",
            "cause": "中间证书未随新证书导入",
            "solution": "导入完整证书链后重启签章服务",
            "versions": "V3.2 及以上",
        },
    )
    with suppress(DomainError):  # the calendar of that year may not be loaded
        services.duty_roster_create(holiday="国庆节", year=timezone.localdate().year, actor=users["emergency"])
    return 1
