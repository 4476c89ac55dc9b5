"""客户成功负责人's cards: handovers waiting on customer success, SaaS customers in service."""

from datetime import timedelta

import pytest
import time_machine

from aftersales.models import Handover
from approvals.services import task_open
from dashboards.selectors import success
from projects.models import Project, State

pytestmark = pytest.mark.django_db
CS = Handover.Route.CUSTOMER_SUCCESS


def test_handovers_waiting_on_the_head_and_on_the_team(org, build, now):
    saas = build.project(State.HANDOVER, kind=Project.Kind.SAAS)
    for days in (2, 0):
        handover = build.handover(saas, Handover.State.PENDING_CS_HEAD, route=CS)
        with time_machine.travel(now - timedelta(days=days, hours=1), tick=False):
            task_open(
                subject=handover, step="handover.cs_head", step_label="客户成功负责人审批移交",
                title=saas.name, link=handover.get_absolute_url(), group="cs_head",
            )  # fmt: skip
    build.handover(saas, Handover.State.PENDING_AUDIT, route=CS, submitted=now - timedelta(days=10))
    build.handover(build.project(State.HANDOVER), Handover.State.PENDING_AUDIT)  # 系统服务部's

    card = success.handovers_waiting(org["cs_head"])

    assert card["mine"] == 2 and card["overdue"] == 1 and card["audit"] == 1
    assert {s.name: s.values for s in card["chart"].series} == {
        "待我审批": [1, 1, 0, 0],
        "待客户成功部审核材料": [0, 0, 0, 1],
    }
    assert [t.days_waiting for t in card["tasks"]] == [2, 0]
    assert success.handovers_waiting(org["cs_staff"])["mine"] == 0


def test_saas_customers_in_service_by_region_and_handovers_accepted_by_month(org, build, now):
    saas = Project.Kind.SAAS
    first = build.project(State.MAINTENANCE, kind=saas, customer="甲公司")
    build.project(State.MAINTENANCE, kind=saas, customer="甲公司")
    build.project(State.MAINTENANCE, kind=saas, customer="乙公司")
    build.project(State.MAINTENANCE, kind=saas, customer="丙公司", region="south")
    build.project(State.MAINTENANCE, customer="丁公司")  # local
    build.project(State.IMPLEMENTING, kind=saas, customer="戊公司")  # not in service yet
    build.handover(first, Handover.State.ACCEPTED, route=CS, decided=now - timedelta(days=3))
    build.handover(first, Handover.State.ACCEPTED, route=CS, decided=now - timedelta(days=70))  # September
    build.handover(first, Handover.State.ACCEPTED, decided=now - timedelta(days=3))  # 系统服务部

    card = success.saas_in_service(org["cs_head"])

    assert card["customers"] == 3 and card["projects"] == 4
    region = card["region_chart"]
    by_region = dict(zip(region.categories, region.series[0].values, strict=True))
    assert by_region == {"北方": 2, "南方": 1}
    assert card["trend_chart"].series[0].values == [0, 0, 0, 1, 0, 1]
