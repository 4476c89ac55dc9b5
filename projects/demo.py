"""A demo project in delivery, made through the services: requirements, a delivery task, a
product request waiting on the regional PM and one approved by the PM and 商务 waiting on 产品管理部
to issue it."""

from django.db import transaction
from django.utils import timezone

from pmis.catalog.models import Product
from pmis.org.models import User
from registrations.demo import CHECKED, _registration
from registrations.models import Kind
from registrations.services import registration_decide, registration_submit

from . import services
from .models import Project


@transaction.atomic
def demo_projects_seed() -> int:
    if Project.objects.filter(customer_name__startswith="演示").exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=[
        "sales", "business_approver", "project_director", "regional_pm", "implementer", "rd_expert",
    ])}  # fmt: skip
    r = _registration(users["sales"], Kind.LOCAL, "演示冀中能源", signed=True, paid=True, province="河北")
    registration_submit(registration=r, actor=users["sales"])
    registration_decide(registration=r, actor=users["business_approver"], decision="approve", review=CHECKED)
    pm = users["regional_pm"]
    project = services.project_initiate(
        registration=r,
        actor=users["project_director"],
        name=services.suggested_name(r),
        overview=services.suggested_overview(r),
        svn_path=r.region.svn_path(project_name=services.suggested_name(r), year=timezone.localdate().year),
        feasibility="标准产品可满足主要场景，OA 对接使用标准接口",
        risk="合同工期较紧，需提前准备测试环境",
        pm=pm,
        implementers=[users["implementer"]],
        meeting={
            "held_on": "2026-11-16",
            "participants": "王晓明、陈立、郑北辰、钱实",
            "topics": ["background", "requirements", "products"],
            "minutes": "客户希望 1 月上线",
        },
    )
    services.project_transition(project=project, actor=pm, action="start_requirements")
    services.requirement_add(project=project, actor=pm, title="人事合同电子签署", classification="standard")
    services.requirement_add(project=project, actor=pm, title="对接蓝凌 OA 公文签章")
    services.requirement_add(
        project=project, actor=pm, title="印章使用统计报表", classification="custom_out_of_contract"
    )
    archive = services.requirement_add(
        project=project, actor=pm, title="对接自建档案系统归档接口", classification="custom_out_of_contract"
    )
    services.customisation_estimate(
        request=archive.customisation,
        actor=pm,
        person_days=6,
        note="档案系统提供 WebService 接口，需开发归档适配器",
        rd_expert=users["rd_expert"],
    )  # waits on the 研发经理 to confirm the solution and workload
    services.delivery_task_assign(
        project=project, actor=pm, type="verification", title="测试环境产品验证", assignee=users["implementer"]
    )
    services.product_request_create(
        project=project,
        actor=users["implementer"],
        items=[
            {
                "product": Product.objects.get(name="电子印章认证"),
                "version": "V5.2",
                "licence_count": 50,
                "kind": "standard",
            },
            {
                "product": Product.objects.get(name="签章中间件"),
                "version": "V3.1",
                "licence_count": 2,
                "kind": "standard",
            },
        ],
        note="测试环境与生产环境各一套",
    )  # waits on the regional PM
    issue = services.product_request_create(
        project=project,
        actor=users["implementer"],
        items=[
            {"product": Product.objects.get(name="时间戳"), "version": "V2.0", "licence_count": 1, "kind": "standard"}
        ],
        note="生产环境时间戳服务",
    )
    issue = services.product_request_decide(request=issue, actor=pm, approve=True, comment="与合同清单一致")
    services.product_request_decide(
        request=issue, actor=users["business_approver"], approve=True, comment="合同已签，首付款已到"
    )  # waits on 产品管理部 to issue
    return 1
