"""特批领导 and 商务审批员: what waits on them, why, for how much and how long."""

from contextlib import nullcontext
from datetime import timedelta

import pytest
import time_machine

from dashboards.selectors import approvals
from registrations.models import Kind
from registrations.services import registration_decide, registration_submit
from tests.conftest import CHECKED

pytestmark = pytest.mark.django_db


@pytest.fixture
def special(org, make_registration):
    """A registration through the sales manager to the special approver of its region."""

    def make(*, signed, paid, amount=None, province="北京", owner=None, at=None):
        owner = owner or org["sales"]
        manager = org["sales_manager"] if owner == org["sales"] else org["sales_manager2"]
        r = make_registration(Kind.SAAS, owner=owner, province=province, signed=signed, paid=paid)
        if amount is not None:
            type(r).objects.filter(pk=r.pk).update(contract_amount=amount)
        with time_machine.travel(at, tick=False) if at else nullcontext():
            r = registration_submit(registration=r, actor=owner)
            return registration_decide(registration=r, actor=manager, decision="approve")

    return make


def test_special_approvals_waiting_by_reason_with_amounts_in_the_leaders_region(org, special, now):
    unsigned = special(signed=False, paid=False, at=now - timedelta(days=4))
    special(signed=True, paid=False, amount=500000)
    special(signed=True, paid=False, amount=200000)
    special(signed=False, paid=False, province="广东", owner=org["sales2"])  # the south leader's

    north = approvals.special_waiting(org["special_approver"])

    assert north["total"] == 3
    assert north["chart"].categories == ["合同未签", "已签合同未收首付款"]
    assert north["chart"].series[0].values == [1, 2]
    assert north["chart"].series[0].texts == ["1 件 · —", "2 件 · ¥700,000"]
    assert north["amount"] == "¥700,000" and north["no_amount"] == 1
    listed = north["registrations"]
    assert listed[0].pk == unsigned.pk and listed[0].days_waiting == 4
    assert listed[0].reason_label == "合同未签"
    assert {r.region.code for r in listed} == {"north"}

    south = approvals.special_waiting(org["special_approver_south"])
    assert south["total"] == 1 and south["chart"].series[0].values == [1, 0]
    assert approvals.special_waiting(org["business_approver"])["total"] == 0


def test_business_queue_by_age_band_and_step_with_overdue(org, make_registration, now):
    sales = org["sales"]
    for days in (0, 2, 2, 10):
        with time_machine.travel(now - timedelta(days=days, hours=1), tick=False):
            registration_submit(registration=make_registration(Kind.LOCAL), actor=sales)

    card = approvals.business_queue(org["business_approver"])

    assert card["chart"].categories == ["1 天内", "1–3 天", "3–7 天", "7 天以上"]
    assert {s.name: s.values for s in card["chart"].series} == {"商务审批": [1, 2, 0, 1]}
    assert card["total"] == 4
    assert card["overdue"] == 3  # one working day each: only today's is still in time
    assert card["oldest_days"] == 10
    assert card["rows"][0]["link"] == "/registrations/queue/"
    # nobody else's queue
    assert approvals.business_queue(org["project_director"])["total"] == 0


def test_outsourcing_open_lists_what_business_still_has_to_arrange(org, make_registration, now):
    sales, business = org["sales"], org["business_approver"]
    waiting = []
    for days in (5, 0):
        with time_machine.travel(now - timedelta(days=days), tick=False):
            r = registration_submit(registration=make_registration(Kind.LOCAL), actor=sales)
            waiting.append(
                registration_decide(
                    registration=r, actor=business, decision="approve", review={**CHECKED, "outsourcing_needed": True}
                )
            )
    r = registration_submit(registration=make_registration(Kind.LOCAL), actor=sales)
    registration_decide(registration=r, actor=business, decision="approve", review=CHECKED)  # no outsourcing

    card = approvals.outsourcing_open(business)

    assert card["total"] == 2
    assert card["chart"].series[0].values == [1, 0, 1, 0]
    assert card["tasks"][0].days_waiting == 5
    assert card["tasks"][0].link == waiting[0].get_absolute_url()
