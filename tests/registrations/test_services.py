import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from approvals.errors import AlreadyDecided, DomainError
from approvals.models import Task
from approvals.selectors import inbox_for, open_tasks_for
from pmis.audit.models import AuditEntry
from pmis.notify.models import Notification
from registrations.models import Kind, Registration, State
from registrations.services import (
    RegistrationIncomplete,
    registration_decide,
    registration_outsourcing_done,
    registration_submit,
    registration_withdraw,
)
from tests.conftest import CHECKED

pytestmark = pytest.mark.django_db


def _waiting(registration):
    return list(open_tasks_for(registration).values_list("step", "group__name", "region__code"))


def _audit_actions(registration):
    return list(
        AuditEntry.objects.filter(
            object_id=registration.pk, content_type__model="registration", action__startswith="registration."
        ).values_list("action", flat=True)
    )


def _approve(registration, user, **kw):
    return registration_decide(registration=registration, actor=user, decision="approve", **kw)


def test_normal_chain_goes_straight_to_business_and_dispatches_to_project_directors(org, make_registration):
    r = make_registration()
    r = registration_submit(registration=r, actor=org["sales"])
    assert r.state == State.PENDING_BUSINESS and not r.special
    assert r.number.startswith("SD") and r.title == "某某地铁电子签章项目立项申请"
    assert _waiting(r) == [("registration.business", "business_approver", None)]

    r = _approve(r, org["business_approver"], review=CHECKED)
    assert r.state == State.DISPATCHED
    assert _waiting(r) == [("registration.initiate", "project_director", None)]
    assert [t.object_id for t in inbox_for(org["project_director"])] == [r.pk]
    assert _audit_actions(r) == ["registration.submit", "registration.approve"]
    assert Notification.objects.filter(recipient=org["sales"], kind="registration_approve").count() == 1


def test_special_chain_north(org, make_registration):
    r = registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])
    assert r.state == State.PENDING_SALES_MANAGER and r.special
    assert list(inbox_for(org["sales_manager"])) and not list(inbox_for(org["sales_manager2"]))  # other team

    r = _approve(r, org["sales_manager"], comment="同意特批")
    assert r.state == State.PENDING_SPECIAL
    assert _waiting(r) == [("registration.special", "special_approver", "north")]
    assert not list(inbox_for(org["special_approver_south"]))
    with pytest.raises(PermissionDenied):
        _approve(r, org["special_approver_south"])

    r = _approve(r, org["special_approver"])
    assert r.state == State.PENDING_BUSINESS
    r = _approve(r, org["business_approver"], review=CHECKED)
    assert r.state == State.DISPATCHED
    assert _audit_actions(r) == ["registration.submit"] + ["registration.approve"] * 3


def test_special_chain_south_for_a_saas_registration(org, make_registration):
    r = make_registration(Kind.SAAS, owner=org["sales2"], province="广东", signed=True, paid=False)
    r = registration_submit(registration=r, actor=org["sales2"])
    assert r.title == "某某地铁SAAS项目立项申请" and r.special
    with pytest.raises(PermissionDenied):
        _approve(r, org["sales_manager"])  # the other team's manager
    r = _approve(r, org["sales_manager2"])
    assert _waiting(r) == [("registration.special", "special_approver", "south")]
    with pytest.raises(PermissionDenied):
        _approve(r, org["special_approver"])
    r = _approve(r, org["special_approver_south"])
    r = _approve(r, org["business_approver"], review=CHECKED)
    assert _waiting(r) == [("registration.initiate", "cs_manager", None)]


def test_upgrade_chain_reaches_the_parent_projects_pm(org, make_registration, parent_project):
    r = make_registration(Kind.UPGRADE, parent_project=parent_project, new_contract=True)
    r = registration_submit(registration=r, actor=org["sales"])
    assert r.number.startswith("WT") and r.title == "某某地铁项目升级拓展申请"
    assert r.state == State.PENDING_SALES_MANAGER and not r.special
    r = _approve(r, org["sales_manager"])
    assert r.state == State.PENDING_BUSINESS
    r = _approve(r, org["business_approver"], review=CHECKED)
    task = Task.objects.get(object_id=r.pk, state="open")
    assert task.assignee == org["regional_pm"] and task.step == "registration.initiate"
    assert list(inbox_for(org["regional_pm"])) == [task]
    assert not list(inbox_for(org["regional_pm_south"]))


def test_return_then_resubmit_restarts_the_chain_and_keeps_the_history(org, make_registration):
    r = registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])
    r = _approve(r, org["sales_manager"])
    with pytest.raises(DomainError, match="退回必须填写原因"):
        registration_decide(registration=r, actor=org["special_approver"], decision="return", comment=" ")
    r = registration_decide(registration=r, actor=org["special_approver"], decision="return", comment="补充回款计划")
    assert r.state == State.RETURNED and _waiting(r) == [("registration.resubmit", None, None)]
    note = Notification.objects.get(recipient=org["sales"], kind="registration_return")
    assert "请修改后重新提交" in note.title and "补充回款计划" in note.body

    number = r.number
    r = registration_submit(registration=r, actor=org["sales"])
    assert r.state == State.PENDING_SALES_MANAGER and r.number == number
    assert _audit_actions(r) == [
        "registration.submit", "registration.approve", "registration.return", "registration.submit",
    ]  # fmt: skip
    assert AuditEntry.objects.filter(object_id=r.pk, action="registration.submit").last().action_label == "重新提交"


def test_reject_is_final(org, make_registration):
    r = registration_submit(registration=make_registration(), actor=org["sales"])
    with pytest.raises(DomainError, match="驳回必须填写原因"):
        registration_decide(registration=r, actor=org["business_approver"], decision="reject")
    r = registration_decide(registration=r, actor=org["business_approver"], decision="reject", comment="合同作废")
    assert r.state == State.REJECTED and _waiting(r) == []
    with pytest.raises(DomainError):
        registration_submit(registration=r, actor=org["sales"])
    with pytest.raises(AlreadyDecided):
        _approve(r, org["business_approver"], review=CHECKED)


def test_withdraw_by_the_owner_cancels_the_waiting_step(org, make_registration):
    r = registration_submit(registration=make_registration(), actor=org["sales"])
    with pytest.raises(PermissionDenied):
        registration_withdraw(registration=r, actor=org["sales2"])
    r = registration_withdraw(registration=r, actor=org["sales"], reason="客户暂缓")
    assert r.state == State.WITHDRAWN and _waiting(r) == []
    assert Notification.objects.filter(recipient=org["business_approver"], kind="registration_withdrawn").exists()


def test_nobody_approves_their_own_registration(org, make_registration):
    org["sales_manager"].groups.add(org["sales"].groups.get())  # a manager who also sells
    r = make_registration(owner=org["sales_manager"], signed=False)
    r = registration_submit(registration=r, actor=org["sales_manager"])
    with pytest.raises(PermissionDenied):
        _approve(r, org["sales_manager"])
    assert not list(inbox_for(org["sales_manager"]))


def test_wrong_role_cannot_decide(org, make_registration):
    r = registration_submit(registration=make_registration(), actor=org["sales"])
    for name in ("sales", "sales_manager", "project_director", "special_approver"):
        with pytest.raises(PermissionDenied):
            _approve(r, org[name], review=CHECKED)


def test_business_review_needs_its_checklist_and_may_open_outsourcing(org, make_registration):
    r = registration_submit(registration=make_registration(), actor=org["sales"])
    with pytest.raises(DomainError, match="请完成商务审核要点"):
        _approve(r, org["business_approver"], review={"contract_status": True})
    r = _approve(r, org["business_approver"], review={**CHECKED, "outsourcing_needed": True})
    assert r.business_review["outsourcing_needed"] is True
    steps = {step for step, *_ in _waiting(r)}
    assert steps == {"registration.initiate", "registration.outsourcing"}
    registration_outsourcing_done(registration=r, actor=org["business_approver"], comment="已下单")
    assert {step for step, *_ in _waiting(r)} == {"registration.initiate"}
    assert "registration.outsourcing" in _audit_actions(r)


def test_submit_names_every_missing_item(org, make_registration):
    r = Registration.objects.create(owner=org["sales"], kind=Kind.LOCAL, customer_name="某公司")
    with pytest.raises(RegistrationIncomplete) as exc:
        registration_submit(registration=r, actor=org["sales"])
    missing = exc.value.missing
    for field in ("customer_short_name", "region", "products", "seal_handling", "stakeholders", "attachments"):
        assert field in missing
    assert "customer_name" not in missing
    assert "售前解决方案" in missing["attachments"]
    r.refresh_from_db()
    assert r.state == State.DRAFT and r.number is None


def test_local_needs_the_solution_or_requirement_form_but_saas_does_not(org, make_registration):
    with pytest.raises(RegistrationIncomplete) as exc:
        registration_submit(registration=make_registration(attach=False), actor=org["sales"])
    assert set(exc.value.missing) == {"attachments"}
    saas = registration_submit(registration=make_registration(Kind.SAAS), actor=org["sales"])
    assert saas.state == State.PENDING_BUSINESS


def test_only_the_owner_submits(org, make_registration):
    with pytest.raises(PermissionDenied):
        registration_submit(registration=make_registration(), actor=org["sales2"])


def test_numbers_follow_each_other(org, make_registration):
    a = registration_submit(registration=make_registration(), actor=org["sales"])
    b = registration_submit(registration=make_registration(), actor=org["sales"])
    assert int(b.number.split("-")[1]) == int(a.number.split("-")[1]) + 1


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_the_same_moment_exactly_one_succeeds(demo, make_registration):
    from django.contrib.auth.models import Group

    second = demo["admin"]
    second.groups.add(Group.objects.get(name="business_approver"))
    r = registration_submit(registration=make_registration(), actor=demo["sales"])
    barrier = threading.Barrier(2)
    results = []

    def decide(user):
        try:
            barrier.wait()
            _approve(Registration.objects.get(pk=r.pk), user, review=CHECKED)
            results.append("ok")
        except AlreadyDecided as exc:
            results.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(u,)) for u in (demo["business_approver"], second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results)[0] == "ok"
    assert "已被处理" in sorted(results)[1] and "请刷新页面" in sorted(results)[1]
    assert AuditEntry.objects.filter(object_id=r.pk, action="registration.approve").count() == 1
    assert Task.objects.filter(object_id=r.pk, step="registration.initiate").count() == 1
