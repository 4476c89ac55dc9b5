"""After seed_demo every demo account has real work waiting in its inbox."""

from io import StringIO

import pytest
from django.core.management import call_command

from approvals.selectors import inbox_for
from pmis.org.demo import DEMO_USERS
from pmis.org.models import User

pytestmark = pytest.mark.django_db

# Roles no step of the system waits on yet: no task_open names them as the group or the assignee
# of a step, and none routes up to them while its own role has an active member.
NO_STEP_WAITS_ON = {
    "platform_ops": "平台运维部的云部署流程尚未实现，没有等待平台运维部的环节",
}

# The work the demo is meant to show each role (username → a step waiting in their inbox).
SHOWN = {
    "sales": "registration.resubmit",
    "sales2": "registration.resubmit",
    "sales_manager": "registration.sales_manager",
    "sales_manager2": "registration.sales_manager",
    "special_approver": "registration.special",
    "special_approver_south": "registration.special",
    "business_approver": "registration.business",
    "project_director": "registration.initiate",
    "cs_manager": "registration.initiate",
    "regional_pm": "product_request.pm",
    "implementer": "delivery.work",
    "product_dept": "product_request.product",
    "aftersales": "handover.audit",
    "cs_head": "handover.cs_head",
    "cs_staff": "ticket.sla",
    "regional_pm_south": "ticket.sla",
    "platform_ops": "deployment.execute",
    "platform_manager": "deployment.manager",
    "cs_ops": "cloud_order.open",
    "cs_support": "cloud_order.confirm",
    "emergency": "incident.coordinate",
    "requirement_lead": "change.work",
    "quality": "change.verify",
    "releaser": "release.perform",
    "rd_expert": "customisation.rd",
    "presales": "registration.presales_solution",
    "aftersales_manager": "ticket.local_support",
    "cm_engineer": "acceptance.cm",
    "executive": "review.trial_rejection",
    "marketing": "satisfaction.send",
}


def _seed():
    call_command("seed_demo", quiet_accounts=True, stdout=StringIO())


def _inbox(username):
    return inbox_for(User.objects.get(username=username))


def test_every_demo_user_has_work_waiting():
    _seed()
    empty = [s.username for s in DEMO_USERS if s.role not in NO_STEP_WAITS_ON and not _inbox(s.username).exists()]
    assert not empty, f"收件箱为空：{empty}"


def test_each_role_sees_the_step_the_demo_is_meant_to_show():
    _seed()
    missing = {name: step for name, step in SHOWN.items() if not _inbox(name).filter(step=step).exists()}
    assert not missing, f"演示待办缺失：{missing}"


def test_a_second_seed_keeps_every_inbox_and_adds_nothing():
    _seed()
    counts = {s.username: _inbox(s.username).count() for s in DEMO_USERS}
    _seed()
    assert {s.username: _inbox(s.username).count() for s in DEMO_USERS} == counts
