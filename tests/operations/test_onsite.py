from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from approvals.errors import DomainError
from approvals.selectors import open_tasks_for
from operations import services
from operations.models import Branch, OnsiteVisit, Repair
from pmis.documents.models import Attachment
from pmis.org.models import Province
from pmis.worktime.calendar import add_duration
from pmis.worktime.models import Clock
from pmis.worktime.services import calendar_fill

from .conftest import at

pytestmark = pytest.mark.django_db
MONDAY_10 = at(2026, 6, 1, 10, 0)


def _request(project, org, province="河北"):
    return services.onsite_request(
        project=project,
        actor=org["aftersales"],
        province=Province.objects.get(name=province),
        address="某某市医院信息科机房",
        reason="签章服务器硬件故障，电话无法排除",
        engineer=org["implementer"],
    )


def test_arrival_target_is_one_hour_with_a_branch_in_the_province_and_48_hours_without(org, live, time_machine):
    time_machine.move_to(MONDAY_10, tick=False)
    Branch.objects.create(name="石家庄办事处", province=Province.objects.get(name="河北"))
    near = _request(live, org, "河北")
    far = _request(live, org, "新疆")
    assert (near.has_branch, near.arrival_due_at) == (True, at(2026, 6, 1, 11, 0))
    assert (far.has_branch, far.arrival_due_at) == (False, at(2026, 6, 3, 10, 0))
    # phone contact within 4 working hours, either way
    assert near.contact_due_at == far.contact_due_at == at(2026, 6, 1, 14, 0)


def test_an_inactive_branch_does_not_count(org, live, time_machine):
    time_machine.move_to(MONDAY_10, tick=False)
    Branch.objects.create(name="石家庄办事处", province=Province.objects.get(name="河北"), active=False)
    assert _request(live, org, "河北").has_branch is False


def test_the_engineer_records_contact_arrival_and_departure_and_the_target_is_counted(org, live, time_machine):
    time_machine.move_to(MONDAY_10, tick=False)
    Branch.objects.create(name="石家庄办事处", province=Province.objects.get(name="河北"))
    visit = _request(live, org)
    task = open_tasks_for(visit).get()
    assert (task.step, task.assignee, task.due_at) == ("onsite.visit", org["implementer"], at(2026, 6, 1, 11, 0))
    engineer = org["implementer"]
    with pytest.raises(PermissionDenied):
        services.onsite_contact(visit=visit, actor=org["aftersales"])
    time_machine.move_to(at(2026, 6, 1, 10, 10), tick=False)
    visit = services.onsite_contact(visit=visit, actor=engineer)
    time_machine.move_to(at(2026, 6, 1, 11, 20), tick=False)
    visit = services.onsite_arrive(visit=visit, actor=engineer)
    assert (visit.contact_met, visit.arrival_met) == (True, False)
    with pytest.raises(DomainError, match="现场工作记录"):
        services.onsite_depart(visit=visit, actor=engineer, note="")
    visit = services.onsite_depart(visit=visit, actor=engineer, note="更换硬盘，服务恢复")
    assert visit.state == OnsiteVisit.State.DONE and not open_tasks_for(visit).exists()


def test_departure_needs_an_arrival(org, live, time_machine):
    time_machine.move_to(MONDAY_10, tick=False)
    visit = _request(live, org)
    with pytest.raises(DomainError, match="请先记录到场"):
        services.onsite_depart(visit=visit, actor=org["implementer"], note="x")


def test_someone_off_the_team_cannot_request_a_visit(org, live):
    with pytest.raises(PermissionDenied):
        services.onsite_request(
            project=live,
            actor=org["sales"],
            province=Province.objects.get(name="河北"),
            address="x",
            reason="y",
            engineer=org["implementer"],
        )


def test_out_of_warranty_repair_is_back_within_seven_working_days_of_the_confirmation(org, live, time_machine):
    calendar_fill(years=[2026])
    time_machine.move_to(at(2026, 9, 28, 10, 0), tick=False)  # Monday before National Day
    aftersales = org["aftersales"]
    repair = services.repair_receive(
        project=live, actor=aftersales, product="签章服务器 UKey", fault="无法识别", engineer=aftersales
    )
    assert open_tasks_for(repair).get().step == "repair.inspect"
    with pytest.raises(DomainError, match="检查情况"):
        services.repair_inspect(repair=repair, actor=aftersales, findings=" ", cost_estimate="")
    repair = services.repair_inspect(
        repair=repair, actor=aftersales, findings="芯片损坏", cost_estimate="成本费 200 元"
    )
    assert repair.state == Repair.State.AWAITING_CUSTOMER
    form = Attachment.objects.get(object_id=repair.pk, content_type__model="repair")
    assert form.doc_type.name == "产品维修检查确认单" and form.file.read().startswith(b"%PDF")
    repair = services.repair_confirm(repair=repair, actor=aftersales, accept=True, contact="信息科张工")
    # 7 working days of 9 hours from Monday 28 Sep 10:00, over the National Day holiday (1–7 Oct)
    assert repair.state == Repair.State.REPAIRING
    assert repair.return_due_at == add_duration(at(2026, 9, 28, 10, 0), timedelta(hours=63), Clock.WORKING)
    assert repair.return_due_at.date() > at(2026, 10, 9, 0, 0).date()
    assert open_tasks_for(repair).get().due_at == repair.return_due_at
    repair = services.repair_return(repair=repair, actor=aftersales)
    assert repair.return_met is True and not open_tasks_for(repair).exists()


def test_a_customer_may_decline_the_repair(org, live):
    aftersales = org["aftersales"]
    repair = services.repair_receive(project=live, actor=aftersales, product="UKey", fault="坏", engineer=aftersales)
    repair = services.repair_inspect(repair=repair, actor=aftersales, findings="损坏", cost_estimate="")
    repair = services.repair_confirm(repair=repair, actor=aftersales, accept=False, contact="张工")
    assert repair.state == Repair.State.DECLINED and not open_tasks_for(repair).exists()
