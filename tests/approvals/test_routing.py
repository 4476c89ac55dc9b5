"""A step never waits on nobody: every kind of inbox task the code can open is opened here through
the services, and someone other than the requester must be able to act on it. When the requester
is the only person in the role (a sales manager's own registration, a PM's own product request),
the step goes one level up, audited and shown on the task."""

import ast
import importlib
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from aftersales import services as aftersales_services
from aftersales.models import Handover, Ticket
from approvals.addsign import task_add_signer
from approvals.chains import step_setting
from approvals.errors import DomainError
from approvals.models import ChainStepSetting, Task
from approvals.selectors import inbox_for, open_tasks_for, task_can_act
from delivery.services import acceptance, reviews, satisfaction
from pmis.audit.models import AuditEntry
from pmis.catalog.models import Product
from pmis.org.models import Region, User
from pmis.worktime.models import SlaPolicy
from projects import services as project_services
from projects.models import ProductRequest, Project
from registrations.models import Kind, Registration
from registrations.models import State as RegState
from registrations.services import presales_step_sync, registration_decide, registration_submit
from tests import walk
from tests.conftest import CHECKED

pytestmark = pytest.mark.django_db
ROOT = Path(settings.BASE_DIR)
SOURCE_DIRS = (
    "approvals", "registrations", "projects", "aftersales", "pmis", "planning", "success", "platformops", "operations",
    "knowledge", "changes", "delivery",
)  # fmt: skip


def task_open_call_sites() -> dict[tuple[str, int], tuple[int, str]]:
    """Every place the code calls task_open: (file, first line) -> (last line, enclosing function)."""
    sites = {}
    for top in SOURCE_DIRS:
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for func in ast.walk(tree):
                if not isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                for node in ast.walk(func):
                    if isinstance(node, ast.Call):
                        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                        if name == "task_open" and func.name != "task_open":
                            key = (str(path.relative_to(ROOT)), node.lineno)
                            sites[key] = (node.end_lineno, func.name)
    return sites


@pytest.fixture
def opened(monkeypatch):
    """Record every task opened, with the call site that opened it and who could act on it then."""
    from approvals import services as approval_services

    real = approval_services.task_open
    records: list[tuple[str, int, Task, list[User]]] = []

    def recording(**kwargs):
        caller = sys._getframe(1)
        task = real(**kwargs)
        path = str(Path(caller.f_code.co_filename).resolve().relative_to(ROOT.resolve()))
        records.append((path, caller.f_lineno, task, _can_act(task)))
        return task

    files = {path for path, _line in task_open_call_sites()}
    for path in files:
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        monkeypatch.setattr(module, "task_open", recording)
    return records


def _can_act(task: Task) -> list[User]:
    task.refresh_from_db()
    return [u for u in User.objects.filter(is_active=True) if task_can_act(u, task)]


def _pr_items(kind="standard"):
    return [{"product": Product.objects.get(name="电子印章认证"), "version": "V5", "licence_count": 1, "kind": kind}]


def _walk_every_step(org, make_registration, upload, parent_project):
    """Drive each process through every step that waits on someone."""
    sales, director, pm = org["sales"], org["project_director"], org["regional_pm"]
    # registrations: the special chain with outsourcing, SaaS, upgrades to a parent with and without a PM
    # 会签 on the special step (one task per special approver of the region)
    ChainStepSetting.objects.filter(pk=step_setting("registration.special").pk).update(mode="all")
    special = registration_submit(registration=make_registration(signed=False), actor=sales)
    # 加签: the sales manager asks the business approver to approve his step too
    task_add_signer(
        task=open_tasks_for(special).get(), actor=org["sales_manager"], signer=org["business_approver"],
        position="after", reason="合同条款需商务先看",
    )  # fmt: skip
    special = registration_decide(registration=special, actor=org["sales_manager"], decision="approve")
    special = registration_decide(registration=special, actor=org["business_approver"], decision="approve")
    special = registration_decide(registration=special, actor=org["special_approver"], decision="approve")
    special = registration_decide(
        registration=special,
        actor=org["business_approver"],
        decision="approve",
        review={**CHECKED, "outsourcing_needed": True},
    )
    with_presales = make_registration(presales=org["presales"])
    presales_step_sync(with_presales, sales)  # what registration_save does with a named 责任售前
    upload(with_presales, "presales-solution")
    registration_submit(registration=with_presales, actor=sales)
    returned = registration_submit(registration=make_registration(), actor=sales)
    registration_decide(registration=returned, actor=org["business_approver"], decision="return", comment="补充")
    saas = registration_submit(registration=make_registration(Kind.SAAS), actor=sales)
    registration_decide(registration=saas, actor=org["business_approver"], decision="approve", review=CHECKED)
    orphan = Project.objects.create(
        code="PJ2024-0002", name="无项目经理的老项目", kind="local", customer_name="客户", region=parent_project.region
    )
    for parent in (parent_project, orphan):
        upgrade = make_registration(Kind.UPGRADE, parent_project=parent, new_contract=True)
        upgrade = registration_submit(registration=upgrade, actor=sales)
        upgrade = registration_decide(registration=upgrade, actor=org["sales_manager"], decision="approve")
        registration_decide(registration=upgrade, actor=org["business_approver"], decision="approve", review=CHECKED)

    # a project: requirements, customisation, delivery, a product request to its receipt
    project = project_services.project_initiate(
        registration=special, actor=director, name="", overview="", svn_path="/svn/x", feasibility="可行",
        risk="可控", pm=pm, implementers=[org["implementer"]],
    )  # fmt: skip
    item = project_services.requirement_add(
        project=project, actor=pm, title="合同外报表", classification="custom_out_of_contract"
    )
    cr = item.customisation
    project_services.customisation_estimate(request=cr, actor=pm, person_days=3, note="", rd_expert=org["rd_expert"])
    project_services.customisation_rd_decide(request=cr, actor=org["rd_expert"], confirm=False, comment="方案不可行")
    project_services.customisation_estimate(request=cr, actor=pm, person_days=4, note="改用插件")
    project_services.customisation_rd_decide(request=cr, actor=org["rd_expert"], confirm=True, solution="插件实现")
    project_services.customisation_confirm(request=cr, actor=sales, accept=True)
    project_services.customisation_file(request=cr, actor=sales, reference="DZ-1")
    declined = project_services.requirement_add(
        project=project, actor=pm, title="合同外接口", classification="custom_out_of_contract"
    ).customisation
    project_services.customisation_estimate(request=declined, actor=pm, person_days=5, note="")
    project_services.customisation_rd_decide(request=declined, actor=org["rd_expert"], confirm=True, solution="接口")
    project_services.customisation_confirm(request=declined, actor=sales, accept=False, comment="超预算")
    project_services.requirement_update(
        item=declined.requirement, actor=pm, classification="standard", status=declined.requirement.status
    )
    upload(project, "requirement-confirmation")
    project_services.requirements_confirm(project=project, actor=pm)
    # the director reviews the 需求清单及跟进表 (it holds custom items) before implementation
    review = reviews.requirements_review_request(project=project, actor=pm)
    reviews.requirements_review_decide(review=review, actor=director, approve=True)
    project_services.delivery_task_assign(
        project=project, actor=pm, type="onsite", title="现场部署", assignee=org["implementer"]
    )
    refused = project_services.product_request_create(project=project, actor=org["implementer"], items=_pr_items())
    project_services.product_request_decide(request=refused, actor=pm, approve=False, comment="版本不对")
    pr = project_services.product_request_create(project=project, actor=org["implementer"], items=_pr_items())
    pr = project_services.product_request_decide(request=pr, actor=pm, approve=True)
    pr = project_services.product_request_decide(request=pr, actor=org["business_approver"], approve=True)
    upload(pr, "licence-file", "授权.lic", content=b"\x8a\x01LIC\x00")
    project_services.product_request_issue(request=pr, actor=org["product_dept"], paths={pr.items.get().pk: "/dl"})

    # handover: the local project to 系统服务部, a SaaS project through customer success; then tickets
    def to_acceptance(project):
        project = walk.to_acceptance(org, project, upload, pm=pm)
        approval = acceptance.acceptance_submit(project=project, actor=pm)
        acceptance.acceptance_decide(approval=approval, actor=org["cm_engineer"], approve=False, comment="缺签字")
        walk.approve_acceptance(org, project, pm=pm)
        return project

    project = to_acceptance(project)
    # 市场部 sends the satisfaction survey the approved acceptance report asked for
    satisfaction.survey_send(project=project, actor=org["marketing"], contact="张主任")
    acceptance.acceptance_issue_add(project=project, actor=pm, title="报表导出偶发超时")
    aftersales_services.handover_submit(project=project, actor=pm, route=Handover.Route.SYSTEM_SERVICE)
    saas_project = project_services.project_initiate(
        registration=saas, actor=org["cs_manager"], name="", overview="", svn_path="", feasibility="可行",
        risk="可控", pm=pm, implementers=[org["implementer"]],
    )  # fmt: skip
    upload(saas_project, "requirement-confirmation")
    project_services.requirements_confirm(project=saas_project, actor=pm)
    saas_project = to_acceptance(saas_project)
    _walk_integration(org, saas_project, upload)
    handover = aftersales_services.handover_submit(
        project=saas_project, actor=pm, route=Handover.Route.CUSTOMER_SUCCESS
    )
    aftersales_services.handover_cs_head_decide(
        handover=handover, actor=org["cs_head"], approve=False, comment="缺材料"
    )
    handover = aftersales_services.handover_submit(
        project=saas_project, actor=pm, route=Handover.Route.CUSTOMER_SUCCESS
    )
    aftersales_services.handover_cs_head_decide(handover=handover, actor=org["cs_head"], approve=True)

    ticket = aftersales_services.ticket_create(
        project=project,
        actor=org["aftersales"],
        data={
            "subject": "无法登录", "reporting_unit": "信息中心", "reporter": "张工", "reported_at": timezone.now(),
            "channel": Ticket.Channel.PHONE, "description": "报错",
        },
    )  # fmt: skip
    severity = SlaPolicy.objects.get(code="ticket-urgent")
    _walk_delivery(org, upload, make_registration)
    ticket = aftersales_services.ticket_triage(ticket=ticket, actor=org["aftersales"], severity=severity)
    ticket = aftersales_services.ticket_assign(ticket=ticket, actor=org["aftersales"], to=org["aftersales"])
    ticket = aftersales_services.ticket_start(ticket=ticket, actor=org["aftersales"])
    aftersales_services.ticket_support_request(ticket=ticket, actor=org["aftersales"], reason="需上门")
    aftersales_services.ticket_support_decline(ticket=ticket, actor=org["aftersales_manager"], reason="可远程")
    ticket = aftersales_services.ticket_resolve(ticket=ticket, actor=org["aftersales"], resolution="已处理")
    aftersales_services.ticket_reopen(ticket=ticket, actor=org["aftersales"], reason="再次出现")
    # planning: a risk whose weekly review fell due waits on its owner
    from planning.models import Risk
    from planning.risks import risk_raise, risk_reviews_due

    risk = risk_raise(project=project, actor=pm, source="customer", description="客户环境未就绪", probability=2,
                      impact=2, strategy="mitigate", owner=org["implementer"])  # fmt: skip
    Risk.objects.filter(pk=risk.pk).update(next_review=timezone.localdate() - timedelta(days=1))
    risk_reviews_due()
    # customer success: a cloud order returned, resubmitted, approved and opened; a SaaS order whose
    # need is confirmed with integration; a service request; a cloud deployment through both approvals
    from platformops import services as platform_services
    from success import services as success_services

    def order(**extra):
        today = timezone.localdate()
        return success_services.cloud_order_file(
            actor=sales, customer_name="某医院", items=[{"product": Product.objects.get(name="云签章"), "quantity": 1}],
            licence_starts_on=today, licence_ends_on=today.replace(year=today.year + 1), payment="paid", **extra,
        )  # fmt: skip

    business = org["business_approver"]
    cloud = success_services.cloud_order_review(order=order(), actor=business, approve=False, comment="未回款")
    cloud = success_services.cloud_order_revise(order=cloud, actor=sales, resubmit=True)
    checked = {"licence_ok": True, "payment_ok": True}
    cloud = success_services.cloud_order_review(order=cloud, actor=business, approve=True, team="cs_ops", **checked)
    success_services.cloud_order_open(order=cloud, actor=org["cs_ops"], opened_note="已开通")
    saas_order = success_services.cloud_order_review(
        order=order(project=saas_project), actor=business, approve=True, **checked
    )
    success_services.cloud_order_confirm(
        order=saas_order, actor=org["cs_support"], integration_needed=True, need="对接 HIS"
    )
    success_services.service_request_file(
        actor=org["cs_staff"], type="usage_guidance", customer_name="某医院",
        data={"topic": "批量签署", "mode": "remote", "contact": "李老师"},
    )  # fmt: skip
    deployment = platform_services.deployment_request(project=project, actor=pm, kind="deploy", reason="公司云")
    deployment = platform_services.deployment_decide(deployment=deployment, actor=org["special_approver"], approve=True)
    platform_services.deployment_decide(deployment=deployment, actor=org["platform_manager"], approve=True)
    # after go-live: 需求变更, BUG, 版本发布 on the project being handed over
    from tests.changes.walk import walk_change_steps

    walk_change_steps(org, project)
    _walk_operations(org, parent_project)


def _walk_integration(org, saas_project, upload):
    """A SaaS order integrated on the project before its handover: the PM's 交回售后支持组 step."""
    from success import services as success_services
    from success.models import IntegrationRequest

    today = timezone.localdate()
    order = success_services.cloud_order_file(
        actor=org["sales"], customer_name="某医院", project=saas_project, payment="paid",
        items=[{"product": Product.objects.get(name="云签章"), "quantity": 1}],
        licence_starts_on=today, licence_ends_on=today.replace(year=today.year + 1),
    )  # fmt: skip
    order = success_services.cloud_order_review(
        order=order, actor=org["business_approver"], approve=True, licence_ok=True, payment_ok=True
    )
    success_services.cloud_order_confirm(order=order, actor=org["cs_support"], integration_needed=True, need="对接")
    request = success_services.integration_accept(
        request=IntegrationRequest.objects.get(order=order), actor=org["project_director"], assignee=org["implementer"]
    )
    task = request.delivery_task
    project_services.delivery_task_act(task=task, actor=org["implementer"], action="start")
    upload(task, "install-debug-report", actor=org["implementer"])
    project_services.delivery_task_act(task=task, actor=org["implementer"], action="finish", result="已对接")
    success_services.integration_complete(request=request, actor=org["project_director"])


def _walk_operations(org, project):
    """Operations after go-live: an incident to its review, an on-site visit, a repair, an inspection."""

    from django.utils import timezone

    from operations import services as ops
    from pmis.org.models import Province

    Project.objects.filter(pk=project.pk).update(state="maintenance")
    project.refresh_from_db()
    pm, engineer = org["regional_pm"], org["aftersales"]
    incident = ops.incident_report(project=project, actor=pm, data={
        "title": "服务中断", "reporter": "张工", "channel": "phone", "symptoms": "无法访问", "level": "3"})  # fmt: skip
    ops.incidents_sweep(now=timezone.now() + timedelta(minutes=11))
    incident = ops.incident_recover(incident=incident, actor=pm, note="已恢复")
    ops.incident_report_submit(incident=incident, actor=pm, cause="a", fix="b", process="c", prevention="d")
    ops.onsite_request(project=project, actor=engineer, province=Province.objects.get(name="北京"), address="机房",
                       reason="硬件故障", engineer=org["implementer"])  # fmt: skip
    repair = ops.repair_receive(project=project, actor=engineer, product="UKey", fault="坏", engineer=engineer)
    repair = ops.repair_inspect(repair=repair, actor=engineer, findings="损坏", cost_estimate="")
    ops.repair_confirm(repair=repair, actor=engineer, accept=True, contact="张工")
    ops.inspection_plan_set(project=project, actor=pm, day_of_month=1, inspector=org["implementer"], checklist="磁盘")
    ops.inspections_open_due()


def _walk_delivery(org, upload, make_registration):
    """Meetings' action items and the executives' decision after a rejected trial run."""
    pm = org["regional_pm"]
    project = project_services.project_initiate(
        registration=registration_decide(
            registration=registration_submit(registration=make_registration(), actor=org["sales"]),
            actor=org["business_approver"], decision="approve", review=CHECKED,
        ),
        actor=org["project_director"], name="", overview="", svn_path="/svn/y", feasibility="可行", risk="可控", pm=pm,
    )  # fmt: skip
    upload(project, "requirement-confirmation")
    project_services.requirements_confirm(project=project, actor=pm)
    for action in walk.TO_TRIAL:
        project = project_services.project_transition(project=project, actor=pm, action=action)
    upload(project, "trial-run-analysis")
    project = project_services.project_transition(
        project=project, actor=pm, action="terminate_after_trial", comment="客户不认可"
    )
    review = project.reviews.get()
    due = timezone.localdate() + timedelta(days=3)
    reviews.trial_rejection_decide(
        review=review,
        actor=org["executive"],
        decision="重新评估",
        tasks=[{"title": "出方案", "owner": pm, "due_date": due}],
    )


def test_every_kind_of_step_waits_on_someone_other_than_the_requester(
    org, make_registration, upload, parent_project, opened
):
    _walk_every_step(org, make_registration, upload, parent_project)

    sites = task_open_call_sites()
    hit = set()
    for path, line, task, actors in opened:
        site = next((key for key, (end, _f) in sites.items() if key[0] == path and key[1] <= line <= end), (path, line))
        hit.add(site)
        assert actors, f"{task.step}（{site}）无人可处理"
        assert all(u.pk != task.exclude_user_id for u in actors), task.step
    missing = {f"{path}:{line} {sites[(path, line)][1]}()" for path, line in sites if (path, line) not in hit}
    assert not missing, "这些 task_open 调用处没有对应的测试用例：" + "；".join(sorted(missing))


def test_a_sales_managers_own_registration_goes_to_the_special_approver_of_the_region(org, make_registration):
    manager = org["sales_manager"]  # the only manager of 销售一部
    r = registration_submit(registration=make_registration(owner=manager, signed=False), actor=manager)
    task = Task.objects.get(object_id=r.pk, step="registration.sales_manager", state="open")
    assert task.group.name == "special_approver" and task.region.code == "north"
    assert "销售主管" in task.routing_note and "特批领导" in task.routing_note
    assert [u.username for u in _can_act(task)] == ["special_approver"]
    assert task not in inbox_for(manager)
    assert AuditEntry.objects.filter(object_id=task.pk, action="task.route_up").count() == 1

    r = registration_decide(registration=r, actor=org["special_approver"], decision="approve")
    assert r.state == RegState.PENDING_SPECIAL


def test_the_routing_is_shown_where_the_registration_waits(client, org, make_registration):
    manager = org["sales_manager"]
    r = registration_submit(registration=make_registration(owner=manager, signed=False), actor=manager)
    client.force_login(manager)
    body = client.get(reverse("registrations:detail", args=[r.pk])).content.decode()
    assert "已按规则上移至特批领导" in body
    client.force_login(org["special_approver"])
    assert "已按规则上移至特批领导" in client.get(reverse("approvals:inbox")).content.decode()


def test_a_pms_own_product_request_goes_to_the_project_director(client, org, upload, dispatched):
    pm = org["regional_pm"]  # the only regional PM of the north
    project = project_services.project_initiate(
        registration=dispatched(), actor=org["project_director"], name="", overview="", svn_path="/svn/x",
        feasibility="可行", risk="可控", pm=pm,
    )  # fmt: skip
    upload(project, "requirement-confirmation")
    project_services.requirements_confirm(project=project, actor=pm)
    pr = project_services.product_request_create(project=project, actor=pm, items=_pr_items())
    task = Task.objects.get(object_id=pr.pk, step="product_request.pm", state="open")
    assert task.group.name == "project_director" and "区域项目经理" in task.routing_note
    assert pm not in _can_act(task)

    client.force_login(org["project_director"])
    page = client.get(pr.get_absolute_url())
    assert page.status_code == 200 and "已按规则上移至项目总监" in page.content.decode()
    client.post(reverse("projects:product_request_action", args=[project.pk, pr.pk, "approve"]), {"comment": ""})
    pr.refresh_from_db()
    assert pr.state == ProductRequest.State.PENDING_BUSINESS


def test_a_pm_with_a_colleague_in_the_region_keeps_the_step_in_the_region(org, upload, project):
    from pmis.org.services import region_scope_grant

    north = Region.objects.get(code="north")
    colleague = User.objects.create(username="pm_north_2", display_name="北方二号")
    colleague.groups.add(org["regional_pm"].groups.get(name="regional_pm"))
    region_scope_grant(user=colleague, region=north)
    upload(project, "requirement-confirmation")
    project_services.requirements_confirm(project=project, actor=org["regional_pm"])
    pr = project_services.product_request_create(project=project, actor=org["regional_pm"], items=_pr_items())
    task = Task.objects.get(object_id=pr.pk, step="product_request.pm", state="open")
    assert task.group.name == "regional_pm" and task.routing_note == ""
    assert _can_act(task) == [colleague]


def test_with_nobody_up_the_line_the_administrator_gets_it_and_without_one_it_is_refused(org, make_registration):
    manager = org["sales_manager"]
    User.objects.filter(groups__name="special_approver").update(is_active=False)
    r = registration_submit(registration=make_registration(owner=manager, signed=False), actor=manager)
    task = Task.objects.get(object_id=r.pk, step="registration.sales_manager", state="open")
    assert task.assignee == org["admin"] and "系统管理员" in task.routing_note

    User.objects.filter(is_superuser=True).update(is_active=False)
    second = make_registration(owner=manager, signed=False)
    with pytest.raises(DomainError, match="无人可处理"):
        registration_submit(registration=second, actor=manager)
    second.refresh_from_db()
    assert second.state == RegState.DRAFT and not Registration.objects.filter(pk=second.pk, number__gt="").exists()


def test_an_upgrade_filed_by_the_parents_pm_goes_to_another_pm_or_up(org, make_registration, parent_project):
    """The parent's PM cannot initiate on his own request: the region's PMs, else the director."""
    pm = org["regional_pm"]
    upgrade = make_registration(Kind.UPGRADE, owner=pm, parent_project=parent_project, new_contract=True)
    upgrade = registration_submit(registration=upgrade, actor=pm)
    # no sales manager in the PM's department: the first step goes up to the region's special approver
    upgrade = registration_decide(registration=upgrade, actor=org["special_approver"], decision="approve")
    upgrade = registration_decide(
        registration=upgrade, actor=org["business_approver"], decision="approve", review=CHECKED
    )
    task = Task.objects.get(object_id=upgrade.pk, step="registration.initiate", state="open")
    assert [u.username for u in _can_act(task)] == ["project_director"]
