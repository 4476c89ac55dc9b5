"""Whoever must act next has the step in their inbox, and nobody else does: after every step of
every process, including the ones that send work back (a returned registration, a declined
customisation estimate, a refused product request, a returned handover, a reopened ticket)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from aftersales import services as aftersales_services
from aftersales.models import HandoverItem, Ticket
from approvals.models import Task
from approvals.selectors import inbox_for
from pmis.catalog.models import Product
from pmis.notify.models import Notification
from pmis.org.models import User
from pmis.worktime.models import SlaPolicy
from projects import services as project_services
from projects.models import ProductRequest
from registrations.models import State as RegState
from registrations.services import registration_decide, registration_submit, registration_withdraw
from tests.aftersales.conftest import accepted  # noqa: F401  (shared fixture)
from tests.conftest import CHECKED

pytestmark = pytest.mark.django_db


def waiting_on(record) -> dict[str, int]:
    """For every active user, how many open inbox items of this record wait on them."""
    ct = ContentType.objects.get_for_model(record)
    counts = {u.username: inbox_for(u).filter(content_type=ct, object_id=record.pk).count() for u in User.objects.all()}
    return {name: n for name, n in counts.items() if n}


def test_a_returned_registration_waits_on_its_owner_until_resubmitted(org, make_registration):
    r = registration_submit(registration=make_registration(), actor=org["sales"])
    assert waiting_on(r) == {"business_approver": 1}
    r = registration_decide(registration=r, actor=org["business_approver"], decision="return", comment="合同金额不符")
    assert waiting_on(r) == {"sales": 1}
    task = inbox_for(org["sales"]).get(object_id=r.pk)
    assert task.step_label == "修改并重新提交" and "合同金额不符" in task.title
    assert task.link == reverse("registrations:edit", args=[r.pk])

    r = registration_submit(registration=r, actor=org["sales"])
    assert waiting_on(r) == {"business_approver": 1}
    assert Task.objects.get(object_id=r.pk, step="registration.resubmit").outcome_label == "已重新提交"
    r = registration_decide(registration=r, actor=org["business_approver"], decision="approve", review=CHECKED)
    assert waiting_on(r) == {"project_director": 1}


def test_a_returned_registration_withdrawn_waits_on_nobody(org, make_registration):
    r = registration_submit(registration=make_registration(), actor=org["sales"])
    r = registration_decide(registration=r, actor=org["business_approver"], decision="return", comment="补充附件")
    registration_withdraw(registration=r, actor=org["sales"], reason="客户取消")
    assert waiting_on(r) == {}
    assert not Notification.objects.filter(recipient=org["sales"], kind="registration_withdrawn").exists()


def test_the_edit_page_of_a_returned_registration_shows_who_returned_it_when_and_why(client, org, make_registration):
    r = registration_submit(registration=make_registration(), actor=org["sales"])
    registration_decide(registration=r, actor=org["business_approver"], decision="return", comment="请补充用户规模")
    client.force_login(org["sales"])
    for url in (reverse("registrations:edit", args=[r.pk]), reverse("registrations:detail", args=[r.pk])):
        body = client.get(url).content.decode()
        assert "请补充用户规模" in body and str(org["business_approver"]) in body and "商务审批退回" in body
        assert f"{timezone.localdate():%Y-%m-%d}" in body
    r.refresh_from_db()
    assert r.state == RegState.RETURNED


def test_a_declined_estimate_waits_on_the_pm_until_re_estimated(org, project):
    pm, sales = org["regional_pm"], org["sales"]
    item = project_services.requirement_add(
        project=project, actor=pm, title="报表", classification="custom_out_of_contract"
    )
    cr = item.customisation
    assert waiting_on(cr) == {"regional_pm": 1}
    project_services.customisation_estimate(request=cr, actor=pm, person_days=3, note="", rd_expert=org["rd_expert"])
    assert waiting_on(cr) == {"rd_expert": 1}
    project_services.customisation_rd_decide(request=cr, actor=org["rd_expert"], confirm=True, solution="报表模块")
    assert waiting_on(cr) == {"sales": 1}
    project_services.customisation_confirm(request=cr, actor=sales, accept=False, comment="超出预算")
    assert waiting_on(cr) == {"regional_pm": 1}
    assert "超出预算" in inbox_for(pm).get(object_id=cr.pk, step="customisation.revise").title
    project_services.customisation_estimate(request=cr, actor=pm, person_days=2, note="压缩范围")
    assert waiting_on(cr) == {"rd_expert": 1}
    project_services.customisation_rd_decide(request=cr, actor=org["rd_expert"], confirm=True, solution="报表模块")
    assert waiting_on(cr) == {"sales": 1}
    project_services.customisation_confirm(request=cr, actor=sales, accept=False, comment="仍超出")
    project_services.requirement_update(
        item=item, actor=pm, classification="standard", status=item.status, follow_up=""
    )
    assert waiting_on(cr) == {}


def _items():
    return [{"product": Product.objects.get(name="电子印章认证"), "version": "V5", "licence_count": 1}]


def test_a_refused_product_request_waits_on_the_requester_until_resubmitted_or_withdrawn(org, project, upload):
    pm, implementer = org["regional_pm"], org["implementer"]
    upload(project, "requirement-confirmation")
    project_services.requirements_confirm(project=project, actor=pm)
    pr = project_services.product_request_create(project=project, actor=implementer, items=_items())
    assert waiting_on(pr) == {"regional_pm": 1}
    pr = project_services.product_request_decide(request=pr, actor=pm, approve=False, comment="版本写错")
    assert waiting_on(pr) == {"implementer": 1}
    pr = project_services.product_request_revise(request=pr, actor=implementer, resubmit=True, note="改为 V6")
    assert pr.state == ProductRequest.State.PENDING_PM and waiting_on(pr) == {"regional_pm": 1}
    pr = project_services.product_request_decide(request=pr, actor=pm, approve=False, comment="暂不需要")
    pr = project_services.product_request_revise(request=pr, actor=implementer, resubmit=False)
    assert pr.state == ProductRequest.State.WITHDRAWN and waiting_on(pr) == {}


def test_a_returned_handover_waits_on_the_pm_until_submitted_again(org, accepted):  # noqa: F811
    pm = org["regional_pm"]
    handover = aftersales_services.handover_submit(project=accepted, actor=pm)
    assert waiting_on(handover) == {"aftersales": 1}
    items = list(handover.items.all())
    verdicts = {i.pk: (HandoverItem.Verdict.OK, "") for i in items}
    verdicts[items[0].pk] = (HandoverItem.Verdict.MISSING, "缺少签字页")
    aftersales_services.handover_audit(handover=handover, actor=org["aftersales"], verdicts=verdicts)
    assert waiting_on(handover) == {"regional_pm": 1}
    again = aftersales_services.handover_submit(project=accepted, actor=pm)
    assert waiting_on(handover) == {} and waiting_on(again) == {"aftersales": 1}


def test_a_ticket_waits_on_triage_then_on_its_assignee_and_again_when_reopened(org, accepted):  # noqa: F811
    aftersales, pm = org["aftersales"], org["regional_pm"]
    ticket = aftersales_services.ticket_create(
        project=accepted, actor=aftersales,
        data={"subject": "无法登录", "reporting_unit": "信息中心", "reporter": "张工", "channel": Ticket.Channel.PHONE,
              "description": "报错"},
    )  # fmt: skip
    assert waiting_on(ticket) == {"aftersales": 1}
    severity = SlaPolicy.objects.get(code="ticket-serious")
    ticket = aftersales_services.ticket_triage(ticket=ticket, actor=aftersales, severity=severity)
    ticket = aftersales_services.ticket_assign(ticket=ticket, actor=org["aftersales_manager"], to=pm, dispatch=True)
    assert waiting_on(ticket) == {pm.username: 1}
    ticket = aftersales_services.ticket_start(ticket=ticket, actor=pm)
    ticket = aftersales_services.ticket_resolve(ticket=ticket, actor=pm, resolution="已处理")
    assert waiting_on(ticket) == {}
    aftersales_services.ticket_reopen(ticket=ticket, actor=aftersales, reason="再次出现")
    assert waiting_on(ticket) == {pm.username: 1}


def test_notices_of_a_step_are_marked_read_once_it_is_done(org, make_registration):
    r = registration_submit(registration=make_registration(), actor=org["sales"])
    approver = org["business_approver"]
    notice = Notification.objects.get(recipient=approver, kind="task_opened", object_id=r.pk)
    assert notice.read_at is None
    r = registration_decide(registration=r, actor=approver, decision="return", comment="金额不符")
    notice.refresh_from_db()
    assert notice.read_at is not None
    returned = Notification.objects.get(recipient=org["sales"], kind="registration_return", object_id=r.pk)
    assert returned.read_at is None
    registration_submit(registration=r, actor=org["sales"])
    returned.refresh_from_db()
    assert returned.read_at is not None
    # the new step's notice stays unread until that step is done
    fresh = Notification.objects.filter(recipient=approver, kind="task_opened", object_id=r.pk).latest("pk")
    assert fresh.pk != notice.pk and fresh.read_at is None
