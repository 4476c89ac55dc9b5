"""Demo cloud deployments: one waiting on the region's 特批领导, one on the 平台运维部 manager, one
approved and waiting on 平台运维部 to execute."""

from django.db import transaction

from projects.models import Project

from . import services
from .models import CloudDeployment


@transaction.atomic
def demo_platform_seed() -> int:
    if CloudDeployment.objects.exists():
        return 0
    project = (
        Project.objects.filter(region__code="north", pm__isnull=False, pm__username="regional_pm")
        .order_by("pk")
        .first()
    )
    from pmis.org.models import User

    approver = User.objects.filter(username="special_approver").first()
    manager = User.objects.filter(username="platform_manager").first()
    if project is None or approver is None or manager is None:
        return 0
    pm = project.pm
    services.deployment_request(
        project=project,
        actor=pm,
        kind=CloudDeployment.Kind.LOGS,
        reason="客户要求保留 180 天签署日志，需在公司云上调整日志策略",
    )
    second = services.deployment_request(
        project=project, actor=pm, kind=CloudDeployment.Kind.VERSION, reason="升级云签章至 V5.3，修复批量签署超时"
    )
    services.deployment_decide(deployment=second, actor=approver, approve=True, comment="同意")
    third = services.deployment_request(
        project=project, actor=pm, kind=CloudDeployment.Kind.DEPLOY, reason="客户无自有服务器，特批部署至公司云"
    )
    third = services.deployment_decide(deployment=third, actor=approver, approve=True, comment="同意特批")
    services.deployment_decide(deployment=third, actor=manager, approve=True, comment="安排 cloud-02 资源")
    return 3
