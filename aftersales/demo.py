"""Demo tickets on a project in maintenance: one waiting for triage, one assigned, and one being
worked whose engineer has asked the 售后运维部经理 for local support."""

from django.db import transaction
from django.utils import timezone

from pmis.org.models import User
from pmis.worktime.models import SlaPolicy
from projects.models import Project

from . import services
from .models import Ticket


@transaction.atomic
def demo_tickets_seed() -> int:
    project = Project.objects.filter(code="PJ2024-0031").first()
    if project is None or Ticket.objects.exists():
        return 0
    aftersales = User.objects.get(username="aftersales")
    base = {"reporting_unit": "北京某商业银行信息科技部", "reporter": "周科长", "reporter_phone": "010-88886666"}
    services.ticket_create(
        project=project,
        actor=aftersales,
        data={**base, "subject": "部分用户签章时提示证书过期", "channel": Ticket.Channel.PHONE,
              "description": "今日上午起约 20 名柜员签章失败，提示证书过期", "reported_at": timezone.now()},
    )  # fmt: skip
    worked = services.ticket_create(
        project=project,
        actor=aftersales,
        data={
            **base,
            "subject": "合同平台导出 PDF 速度慢",
            "channel": Ticket.Channel.EMAIL,
            "description": "导出 200 页以上合同需 3 分钟",
            "time_requirement": "本周内",
            "reported_at": timezone.now(),
        },
    )
    worked = services.ticket_triage(
        ticket=worked, actor=aftersales, severity=SlaPolicy.objects.get(code="ticket-medium")
    )
    services.ticket_assign(ticket=worked, actor=aftersales, to=aftersales)
    onsite = services.ticket_create(
        project=project,
        actor=aftersales,
        data={
            **base,
            "subject": "营业网点签章服务器无法启动",
            "channel": Ticket.Channel.PHONE,
            "description": "网点内网服务器重启后签章服务无法启动，远程无法接入",
            "reported_at": timezone.now(),
        },
    )
    onsite = services.ticket_triage(
        ticket=onsite, actor=aftersales, severity=SlaPolicy.objects.get(code="ticket-medium")
    )
    onsite = services.ticket_assign(ticket=onsite, actor=aftersales, to=aftersales)
    onsite = services.ticket_start(ticket=onsite, actor=aftersales)
    services.ticket_support_request(
        ticket=onsite, actor=aftersales, reason="客户内网无法远程接入，需当地工程师到现场排查"
    )  # waits on the 售后运维部经理 to dispatch to the region's PM
    return 3
