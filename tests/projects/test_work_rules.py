"""What work a project takes and when: members leaving the team, projects that stopped, the
implementation gate on customisation, what may start before the requirements are confirmed, and
upgrades tracked on their parent project."""

import pytest
from django.urls import reverse

from approvals.errors import DomainError
from approvals.models import Task
from approvals.selectors import inbox_for
from pmis.audit.models import AuditEntry
from pmis.catalog.models import Product
from pmis.notify.models import Notification
from projects import services
from projects.models import CustomisationRequest, DeliveryTask, ProductRequest, Project, State
from registrations.models import Kind
from registrations.models import State as RegState

pytestmark = pytest.mark.django_db


def _items(kind="standard"):
    return [{"product": Product.objects.get(name="电子印章认证"), "version": "V5", "licence_count": 1, "kind": kind}]


def _move(project, actor, action, comment=""):
    return services.project_transition(project=project, actor=actor, action=action, comment=comment)


# -- a member leaves the team --------------------------------------------------------------


def test_removing_an_implementer_cancels_his_tasks_hands_back_his_receipts_and_tells_the_pm(
    client, org, confirmed, upload
):
    project, pm, implementer = confirmed, org["regional_pm"], org["implementer"]
    task = services.delivery_task_assign(
        project=project, actor=pm, type="onsite", title="现场部署", assignee=implementer
    )
    pr = services.product_request_create(project=project, actor=implementer, items=_items())
    services.product_request_decide(request=pr, actor=pm, approve=True)
    services.product_request_decide(request=pr, actor=org["business_approver"], approve=True)
    upload(pr, "licence-file", "授权.lic", content=b"\x8a\x01LIC\x00")
    services.product_request_issue(request=pr, actor=org["product_dept"], paths={pr.items.get().pk: "/dl"})
    assert {t.step for t in inbox_for(implementer)} == {"delivery.work", "product_request.receive"}

    services.project_team_set(project=project, actor=pm, pm=pm, implementers=[])

    assert list(inbox_for(implementer)) == []
    task.refresh_from_db()
    assert task.state == DeliveryTask.State.CANCELLED
    receipt = Task.objects.get(object_id=pr.pk, step="product_request.receive", state="open")
    assert receipt.assignee == pm
    services.product_request_receive(request=pr, actor=pm)
    told = Notification.objects.get(recipient=pm, kind="project_member_removed")
    assert "现场部署" in told.body and "确认领取" in told.body
    assert AuditEntry.objects.filter(object_id=project.pk, action="project.member_work_handed_back").count() == 1

    # nothing he still sees leads to a page that is gone
    client.force_login(implementer)
    for url in (reverse("approvals:inbox"), reverse("projects:mine")):
        body = client.get(url).content.decode()
        assert project.get_absolute_url() not in body and pr.get_absolute_url() not in body


def test_a_new_pm_takes_over_the_steps_that_waited_on_the_old_one(org, project):
    old, new = org["regional_pm"], org["project_director"]
    item = services.requirement_add(
        project=project, actor=old, title="合同外报表", classification="custom_out_of_contract"
    )
    services.project_team_set(project=project, actor=old, pm=new, implementers=[org["implementer"]])
    steps = Task.objects.filter(state="open", step__in=["project.requirements", "customisation.estimate"])
    assert {t.assignee for t in steps} == {new}
    services.customisation_estimate(request=item.customisation, actor=new, person_days=2, note="")


# -- stopped projects take no new work (item 14) --------------------------------------------------


def test_a_terminated_project_refuses_new_tasks_and_product_requests_with_the_reason(client, org, confirmed, upload):
    pm = org["regional_pm"]
    pr = services.product_request_create(project=confirmed, actor=org["implementer"], items=_items())
    for action in ("start_requirements", "start_implementation", "start_trial_run"):
        project = _move(confirmed, pm, action)
    upload(project, "trial-run-analysis")
    project = _move(project, pm, "terminate_after_trial", "客户不认可")
    assert project.state == State.TERMINATED

    with pytest.raises(DomainError, match="项目已终止，不再接受新的实施任务与产品领取单"):
        services.delivery_task_assign(project=project, actor=pm, type="onsite", title="x", assignee=org["implementer"])
    with pytest.raises(DomainError, match="项目已终止"):
        services.product_request_create(project=project, actor=org["implementer"], items=_items())
    with pytest.raises(DomainError, match="只能退回"):
        services.product_request_decide(request=pr, actor=pm, approve=True)
    pr = services.product_request_decide(request=pr, actor=pm, approve=False, comment="项目已终止")
    assert pr.state == ProductRequest.State.RETURNED

    client.force_login(pm)
    body = client.get(reverse("projects:tab", args=[project.pk, "tasks"])).content.decode()
    assert 'id="assign-form"' not in body and "项目已终止，不再接受新的实施任务与产品领取单" in body
    client.force_login(org["implementer"])
    body = client.get(reverse("projects:tab", args=[project.pk, "product-requests"])).content.decode()
    assert reverse("projects:product_request_new", args=[project.pk]) not in body
    assert "项目已终止，不再接受新的实施任务与产品领取单" in body
    response = client.get(reverse("projects:product_request_new", args=[project.pk]), follow=True)
    assert "项目已终止" in response.content.decode()


def test_a_suspended_project_refuses_new_work_until_resumed(org, confirmed):
    pm = org["regional_pm"]
    project = _move(confirmed, pm, "suspend", "客户机房搬迁")
    with pytest.raises(DomainError, match="项目已暂停"):
        services.delivery_task_assign(project=project, actor=pm, type="onsite", title="x", assignee=org["implementer"])
    project = _move(project, pm, "resume")
    services.delivery_task_assign(project=project, actor=pm, type="onsite", title="x", assignee=org["implementer"])


# -- the implementation gate on customisation (item 15) ------------------------------------------


def _ready_for_implementation(org, project, upload):
    pm = org["regional_pm"]
    _move(project, pm, "start_requirements")
    upload(project, "requirement-confirmation")
    services.requirements_confirm(project=project, actor=pm)


def test_implementation_waits_until_sales_files_each_out_of_contract_customisation(org, project, upload):
    pm, sales = org["regional_pm"], org["sales"]
    _ready_for_implementation(org, project, upload)
    item = services.requirement_add(
        project=project, actor=pm, title="统计报表", classification="custom_out_of_contract"
    )
    cr = item.customisation
    with pytest.raises(DomainError, match="统计报表（待评估工作量）"):
        _move(project, pm, "start_implementation")
    services.customisation_estimate(request=cr, actor=pm, person_days=4, note="", rd_expert=org["rd_expert"])
    services.customisation_rd_decide(request=cr, actor=org["rd_expert"], confirm=True, solution="报表引擎实现")
    services.customisation_confirm(request=cr, actor=sales, accept=False, comment="客户不付费")
    with pytest.raises(DomainError, match="统计报表（销售不认可）"):
        _move(project, pm, "start_implementation")
    # re-classified as in-contract: the gate opens and the request's steps stop waiting
    services.requirement_update(item=item, actor=pm, classification="custom_in_contract", status="open")
    # an in-contract customisation still goes on the 需求清单及跟进表 the director reviews
    from delivery.services.reviews import requirements_review_decide, requirements_review_request

    review = requirements_review_request(project=project, actor=pm)
    requirements_review_decide(review=review, actor=org["project_director"], approve=True)
    assert _move(project, pm, "start_implementation").state == State.IMPLEMENTING


def test_reclassifying_stops_the_customisation_steps_and_back_again_starts_over(org, project):
    pm = org["regional_pm"]
    item = services.requirement_add(
        project=project, actor=pm, title="统计报表", classification="custom_out_of_contract"
    )
    services.requirement_update(item=item, actor=pm, classification="standard", status="open")
    assert not [t for t in inbox_for(pm) if t.step == "customisation.estimate"]
    services.requirement_update(item=item, actor=pm, classification="custom_out_of_contract", status="open")
    assert [t.step for t in inbox_for(pm) if t.step == "customisation.estimate"] == ["customisation.estimate"]
    assert CustomisationRequest.objects.get(requirement=item).state == CustomisationRequest.State.ESTIMATING


# -- what may start before the requirements are confirmed (item 16) -------------------------------


def test_before_the_requirements_are_confirmed_only_product_verification_starts(client, org, project, upload):
    pm, implementer = org["regional_pm"], org["implementer"]
    with pytest.raises(DomainError, match="需求尚未确认，不能指派“现场实施”任务"):
        services.delivery_task_assign(project=project, actor=pm, type="onsite", title="现场", assignee=implementer)
    with pytest.raises(DomainError, match="没有“产品验证”任务"):
        services.product_request_create(project=project, actor=implementer, items=_items())
    services.delivery_task_assign(project=project, actor=pm, type="verification", title="验证", assignee=implementer)
    with pytest.raises(DomainError, match="不能领取定制产品"):
        services.product_request_create(project=project, actor=implementer, items=_items("custom"))
    services.product_request_create(project=project, actor=implementer, items=_items())

    client.force_login(pm)
    body = client.get(reverse("projects:tab", args=[project.pk, "tasks"])).content.decode()
    assert "需求确认单确认前，只能指派“产品验证”任务" in body
    response = client.post(
        reverse("projects:task_assign", args=[project.pk]),
        {"type": "training", "title": "用户培训", "assignee": implementer.pk},
    )
    assert "需求尚未确认，不能指派“用户培训”任务" in response.content.decode()
    assert not DeliveryTask.objects.filter(type="training").exists()

    upload(project, "requirement-confirmation")
    services.requirements_confirm(project=project, actor=pm)
    services.delivery_task_assign(project=project, actor=pm, type="onsite", title="现场", assignee=implementer)
    services.product_request_create(project=project, actor=implementer, items=_items("custom"))


# -- an upgrade without a new contract is tracked on its parent (item 18) -------------------------


def test_an_upgrade_without_a_new_contract_links_to_the_parent_and_its_sales_follows_it(
    client, org, dispatched, parent_project
):
    r = dispatched(Kind.UPGRADE, parent_project=parent_project, new_contract=False)
    client.force_login(org["regional_pm"])  # the parent's PM
    response = client.post(
        reverse("projects:initiate", args=[r.pk]),
        {"feasibility": "可行", "risk": "可控", "pm": org["regional_pm"].pk},
        follow=True,
    )
    body = response.content.decode()
    assert f"已立项：{parent_project.code}" not in body and f"不另立项：已在原项目 {parent_project.code}" in body
    assert Project.objects.count() == 1
    r.refresh_from_db()
    assert r.state == RegState.INITIATED

    sales = org["sales"]
    assert Notification.objects.filter(recipient=sales, kind="project_upgrade_tracked").exists()
    client.force_login(sales)
    page = client.get(reverse("registrations:detail", args=[r.pk])).content.decode()
    assert f'href="{parent_project.get_absolute_url()}"' in page
    project_page = client.get(reverse("projects:tab", args=[parent_project.pk, "requirements"]))
    assert project_page.status_code == 200 and r.number in project_page.content.decode()


def test_the_upgrades_customisation_is_confirmed_by_the_sales_who_filed_it(org, dispatched, parent_project):
    r = dispatched(Kind.UPGRADE, owner=org["sales2"], parent_project=parent_project, new_contract=False)
    services.project_initiate(
        registration=r, actor=org["regional_pm"], name="", overview="", svn_path="", feasibility="可行",
        risk="可控", pm=org["regional_pm"],
    )  # fmt: skip
    item = parent_project.requirements.get(registration=r)
    services.requirement_update(
        item=item, actor=org["regional_pm"], classification="custom_out_of_contract", status="open"
    )
    services.customisation_estimate(request=item.customisation, actor=org["regional_pm"], person_days=3, note="")
    services.customisation_rd_decide(request=item.customisation, actor=org["rd_expert"], confirm=True, solution="升级")
    assert [t.step for t in inbox_for(org["sales2"])] == ["customisation.confirm"]
