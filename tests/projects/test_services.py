from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from approvals.errors import AlreadyDecided, DomainError
from approvals.models import Task
from approvals.selectors import inbox_for
from pmis.notify.models import Notification
from projects import services
from projects.models import CustomisationRequest, DeliveryTask, ProductRequest, Project, RequirementItem, State
from projects.selectors import project_can_view, projects_visible
from registrations.models import Kind
from registrations.models import State as RegState

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _initiate(org, registration, actor, **kw):
    defaults = {
        "name": "", "overview": "", "svn_path": "/svn/x", "feasibility": "可行", "risk": "可控",
        "pm": org["regional_pm"], "implementers": [org["implementer"]],
    }  # fmt: skip
    defaults.update(kw)
    return services.project_initiate(registration=registration, actor=actor, **defaults)


# -- initiation -------------------------------------------------------------------------------


def test_local_initiation_by_a_director_builds_the_project_and_its_team(org, project):
    assert project.state == State.INITIATED and project.code.startswith("PJ")
    assert project.basis == project.registration.number and project.registration.state == RegState.INITIATED
    assert project.meeting.participants == "王晓明、陈立"
    assert org["regional_pm"].has_perm("projects.manage_project", project)
    assert org["implementer"].has_perm("projects.implement_project", project)
    assert org["sales"].has_perm("projects.business_project", project)
    assert org["rd_expert"].has_perm("projects.develop_project", project)  # 开发经理 = 立项专家 group
    assert org["product_dept"].has_perm("projects.product_project", project)
    assert org["aftersales"].has_perm("projects.accept_project", project)
    assert org["cs_head"].has_perm("projects.approve_project", project)
    assert not Task.objects.filter(
        object_id=project.registration_id, step="registration.initiate", state="open"
    ).exists()
    pm_task = Task.objects.get(step="project.requirements", state="open")
    assert pm_task.assignee == org["regional_pm"]
    assert Notification.objects.filter(recipient=org["implementer"], kind="project_initiated").exists()


def test_suggestions_follow_the_seed_rules(org, dispatched):
    r = dispatched(province="广东", owner=org["sales2"])
    assert services.suggested_pm(r) == org["regional_pm_south"]  # 就近原则
    assert services.suggested_name(r) == "某某市轨道交通集团有限公司电子签章项目"
    assert "部署产品：电子印章认证、时间戳" in services.suggested_overview(r)


def test_saas_is_initiated_by_the_customer_success_manager(org, dispatched):
    r = dispatched(Kind.SAAS)
    with pytest.raises(PermissionDenied):
        _initiate(org, r, org["project_director"])
    project = _initiate(org, r, org["cs_manager"])
    assert project.kind == Project.Kind.SAAS
    assert not org["rd_expert"].has_perm("projects.develop_project", project)  # 001 §3.3.3 has no 开发经理
    assert org["cs_staff"].has_perm("projects.accept_project", project)


def test_upgrade_with_a_new_contract_becomes_a_sub_project(org, dispatched, parent_project):
    r = dispatched(Kind.UPGRADE, parent_project=parent_project, new_contract=True)
    with pytest.raises(PermissionDenied):
        _initiate(org, r, org["project_director"])  # it waits on the parent's PM
    child = _initiate(org, r, org["regional_pm"])
    assert child.parent == parent_project and child.region == parent_project.region
    assert child.basis.startswith("WT")


def test_upgrade_without_a_new_contract_is_tracked_on_the_parent(org, dispatched, parent_project):
    r = dispatched(Kind.UPGRADE, parent_project=parent_project, new_contract=False)
    result = _initiate(org, r, org["regional_pm"])
    assert result == parent_project
    assert Project.objects.count() == 1
    assert parent_project.requirements.get().title.startswith("升级扩展：某某地铁项目升级拓展申请")
    r.refresh_from_db()
    assert r.state == RegState.INITIATED


def test_initiation_needs_its_reviews_and_happens_once(org, dispatched):
    r = dispatched()
    with pytest.raises(DomainError, match="可行性评估"):
        _initiate(org, r, org["project_director"], feasibility=" ")
    _initiate(org, r, org["project_director"])
    with pytest.raises(AlreadyDecided):
        _initiate(org, r, org["project_director"])


# -- visibility and team ----------------------------------------------------------------------


def test_who_sees_the_project(org, project):
    for name in ("regional_pm", "implementer", "sales", "project_director", "rd_expert", "aftersales"):
        assert project_can_view(org[name], project), name
    for name in ("regional_pm_south", "sales2", "presales"):
        assert not project_can_view(org[name], project), name


def test_a_removed_member_loses_access_at_once(org, project):
    from django.contrib.auth.models import Group

    other = org["admin"].__class__.objects.create(username="impl2", display_name="孙实施")
    other.groups.add(Group.objects.get(name="implementer"))
    services.project_team_set(project=project, actor=org["regional_pm"], pm=org["regional_pm"], implementers=[other])
    implementer = org["implementer"].__class__.objects.get(pk=org["implementer"].pk)  # fresh permission cache
    assert not project_can_view(implementer, project)
    assert not implementer.has_perm("projects.implement_project", project)
    assert project_can_view(other, project)
    with pytest.raises(PermissionDenied):
        services.project_team_set(project=project, actor=org["implementer"], pm=org["implementer"], implementers=[])


def test_project_list_query_is_scoped(org, project):
    assert list(projects_visible(org["regional_pm_south"])) == []
    assert list(projects_visible(org["project_director"])) == [project]


# -- phases and gates ------------------------------------------------------------------------


def _move(project, actor, action, comment=""):
    return services.project_transition(
        project=project, actor=actor, action=action, comment=comment, via_handover=action == "submit_handover"
    )


def test_requirements_gate_refuses_with_each_missing_item_then_passes(org, project, upload):
    pm = org["regional_pm"]
    _move(project, pm, "start_requirements")
    item = services.requirement_add(project=project, actor=pm, title="对接蓝凌 OA 单点登录")
    custom = services.requirement_add(
        project=project,
        actor=pm,
        title="定制印章审批流",
        classification=RequirementItem.Classification.CUSTOM_OUT_OF_CONTRACT,
    )
    with pytest.raises(DomainError) as exc:
        _move(project, pm, "start_implementation")
    message = str(exc.value)
    assert "需求确认单尚未确认" in message and "对接蓝凌 OA 单点登录" in message
    with pytest.raises(DomainError, match="请先上传客户签字的《需求确认单》"):
        services.requirements_confirm(project=project, actor=pm)
    upload(project, "requirement-confirmation")
    services.requirements_confirm(project=project, actor=pm)
    services.requirement_update(item=item, actor=pm, classification="standard", status="in_progress")
    cr = CustomisationRequest.objects.get(requirement=custom)
    services.customisation_estimate(request=cr, actor=pm, person_days=3, note="", rd_expert=org["rd_expert"])
    services.customisation_rd_decide(request=cr, actor=org["rd_expert"], confirm=True, solution="接口对接")
    services.customisation_confirm(request=cr, actor=org["sales"], accept=True)
    services.customisation_file(request=cr, actor=org["sales"], reference="DZ-2026-001")
    with pytest.raises(DomainError, match="须提交项目总监审核"):
        _move(project, pm, "start_implementation")
    from delivery.services.reviews import requirements_review_decide, requirements_review_request

    review = requirements_review_request(project=project, actor=pm)
    requirements_review_decide(review=review, actor=org["project_director"], approve=True)
    project = _move(project, pm, "start_implementation")
    assert project.state == State.IMPLEMENTING
    assert not Task.objects.filter(step="project.requirements", state="open").exists()


def test_out_of_contract_item_without_a_customisation_request_blocks(org, project, upload):
    pm = org["regional_pm"]
    _move(project, pm, "start_requirements")
    upload(project, "requirement-confirmation")
    services.requirements_confirm(project=project, actor=pm)
    item = services.requirement_add(project=project, actor=pm, title="合同外报表")
    RequirementItem.objects.filter(pk=item.pk).update(classification="custom_out_of_contract")  # bypassed the service
    with pytest.raises(DomainError, match="合同外定制需求缺少定制化申请：合同外报表"):
        _move(project, pm, "start_implementation")


def _to(project, org, upload, state):
    pm = org["regional_pm"]
    path = ["start_requirements", "start_implementation", "start_trial_run", "go_live", "start_acceptance"]
    upload(project, "requirement-confirmation")
    services.requirements_confirm(project=project, actor=pm)
    upload(project, "trial-run-confirmation")
    upload(project, "training-attendance")
    for action in path:
        project = _move(project, pm, action)
        if project.state == state:
            return project
    return project


def test_trial_run_to_live_needs_the_confirmation(org, project, upload):
    pm = org["regional_pm"]
    _move(project, pm, "start_requirements")
    upload(project, "requirement-confirmation")
    services.requirements_confirm(project=project, actor=pm)
    _move(project, pm, "start_implementation")
    _move(project, pm, "start_trial_run")
    upload(project, "training-attendance")
    with pytest.raises(DomainError, match="缺少《项目试运行确认单》"):
        _move(project, pm, "go_live")
    upload(project, "trial-run-confirmation")
    assert _move(project, pm, "go_live").state == State.LIVE


def test_trial_run_rejection_terminates_with_the_analysis_report(org, project, upload):
    pm = org["regional_pm"]
    upload(project, "requirement-confirmation")
    services.requirements_confirm(project=project, actor=pm)
    for action in ("start_requirements", "start_implementation", "start_trial_run"):
        _move(project, pm, action)
    with pytest.raises(DomainError, match="试运行分析报告"):
        _move(project, pm, "terminate_after_trial", "客户不认可")
    upload(project, "trial-run-analysis")
    project = _move(project, pm, "terminate_after_trial", "客户不认可性能")
    assert project.state == State.TERMINATED
    assert Notification.objects.filter(recipient=org["project_director"], kind="project_terminated").exists()


def test_acceptance_gate_names_the_missing_documents(org, project, upload):
    project = _to(project, org, upload, State.ACCEPTANCE)
    assert project.state == State.ACCEPTANCE
    with pytest.raises(DomainError) as exc:
        _move(project, org["regional_pm"], "submit_handover")
    for name in ("《产品领取单》", "《客户服务单》", "《用户验收报告》", "《实施基本信息登记表》"):
        assert name in str(exc.value)
    from delivery.services.acceptance import project_size_set
    from tests.walk import acceptance_documents, approve_acceptance

    project = project_size_set(project=project, actor=org["regional_pm"], size="large")
    for code in acceptance_documents(project):
        upload(project, code)
    approve_acceptance(org, project)
    assert _move(project, org["regional_pm"], "submit_handover").state == State.HANDOVER


def test_suspend_and_resume_return_to_the_same_phase(org, project):
    pm = org["regional_pm"]
    _move(project, pm, "start_requirements")
    with pytest.raises(DomainError, match="暂停项目须填写原因"):
        _move(project, pm, "suspend")
    assert _move(project, pm, "suspend", "客户机房搬迁").state == State.SUSPENDED
    assert _move(project, pm, "resume").state == State.REQUIREMENTS


def test_only_managers_move_phases(org, project):
    for name in ("implementer", "sales", "regional_pm_south"):
        with pytest.raises(PermissionDenied):
            _move(project, org[name], "start_requirements")


def test_wrong_phase_is_refused_in_chinese(org, project):
    with pytest.raises(DomainError, match="不能进入试运行"):
        _move(project, org["regional_pm"], "start_trial_run")


# -- customisation ---------------------------------------------------------------------------


def test_customisation_goes_pm_estimate_then_sales_confirm_then_sales_files(org, project):
    pm, sales = org["regional_pm"], org["sales"]
    item = services.requirement_add(
        project=project, actor=pm, title="电子档案对接", classification="custom_out_of_contract"
    )
    cr = item.customisation
    assert [t.assignee for t in inbox_for(pm) if t.step == "customisation.estimate"] == [pm]
    with pytest.raises(PermissionDenied):
        services.customisation_estimate(request=cr, actor=sales, person_days=5, note="")
    services.customisation_estimate(request=cr, actor=pm, person_days=12, note="含接口开发", rd_expert=org["rd_expert"])
    assert list(inbox_for(sales)) == []
    services.customisation_rd_decide(request=cr, actor=org["rd_expert"], confirm=True, solution="标准接口扩展")
    assert [t.step for t in inbox_for(sales)] == ["customisation.confirm"]
    with pytest.raises(PermissionDenied):
        services.customisation_confirm(request=cr, actor=pm, accept=True)
    services.customisation_confirm(request=cr, actor=sales, accept=True, comment="客户同意付费")
    assert [t.step for t in inbox_for(sales)] == ["customisation.file"]
    cr = services.customisation_file(request=cr, actor=sales, reference="DZ-2026-031")
    assert cr.state == CustomisationRequest.State.FILED and cr.person_days == 12
    assert list(inbox_for(sales)) == []


# -- delivery tasks ---------------------------------------------------------------------------


def test_delivery_task_flow_and_the_service_form(org, confirmed, upload):
    project = confirmed
    pm, implementer = org["regional_pm"], org["implementer"]
    with pytest.raises(PermissionDenied):
        services.delivery_task_assign(
            project=project, actor=implementer, type="onsite", title="x", assignee=implementer
        )
    with pytest.raises(DomainError, match="不是实施人员"):
        services.delivery_task_assign(project=project, actor=pm, type="onsite", title="x", assignee=org["sales"])
    task = services.delivery_task_assign(
        project=project, actor=pm, type="onsite", title="现场部署签章服务", assignee=implementer
    )
    assert [t.step for t in inbox_for(implementer) if t.object_id == task.pk] == ["delivery.work"]
    with pytest.raises(PermissionDenied):
        services.delivery_task_act(task=task, actor=pm, action="accept")
    services.delivery_task_act(task=task, actor=implementer, action="accept")
    services.delivery_task_act(task=task, actor=implementer, action="start")
    upload(task, "install-debug-report")
    with pytest.raises(DomainError, match="客户服务单"):
        services.delivery_task_act(task=task, actor=implementer, action="finish", result="部署完成")
    upload(task, "customer-service-form")
    task = services.delivery_task_act(task=task, actor=implementer, action="finish", result="部署完成")
    assert task.state == DeliveryTask.State.DONE
    assert not [t for t in inbox_for(implementer) if t.object_id == task.pk]


# -- product requests --------------------------------------------------------------------------


def _items(org):
    from pmis.catalog.models import Product

    return [
        {
            "product": Product.objects.get(name="电子印章认证"),
            "version": "V5.2",
            "licence_count": 10,
            "kind": "standard",
        }
    ]


def test_product_request_travels_pm_business_product_and_back(org, confirmed, upload):
    project = confirmed
    implementer = org["implementer"]
    pr = services.product_request_create(project=project, actor=implementer, items=_items(org))
    assert pr.registration_number == project.registration.number and pr.svn_path == project.svn_path
    assert pr.state == ProductRequest.State.PENDING_PM
    with pytest.raises(PermissionDenied):
        services.product_request_decide(request=pr, actor=org["regional_pm_south"], approve=True)
    services.product_request_decide(request=pr, actor=org["regional_pm"], approve=True)
    services.product_request_decide(request=pr, actor=org["business_approver"], approve=True)
    item = pr.items.get()
    with pytest.raises(DomainError, match="下载路径"):
        services.product_request_issue(request=pr, actor=org["product_dept"], paths={})
    with pytest.raises(DomainError, match="授权文件"):
        services.product_request_issue(request=pr, actor=org["product_dept"], paths={item.pk: "/dl/seal-5.2"})
    upload(pr, "licence-file", "授权.lic", content=b"\x8a\x01LICENSE\x00")
    pr = services.product_request_issue(
        request=pr, actor=org["product_dept"], paths={item.pk: "/dl/seal-5.2"}, note="见附件"
    )
    assert pr.state == ProductRequest.State.ISSUED
    with pytest.raises(PermissionDenied):
        services.product_request_receive(request=pr, actor=org["regional_pm"])
    pr = services.product_request_receive(request=pr, actor=implementer)
    assert pr.state == ProductRequest.State.RECEIVED
    from projects.gates import present_documents

    assert "product-request" in present_documents(project)


def test_product_request_return_needs_a_reason(org, confirmed):
    project = confirmed
    pr = services.product_request_create(project=project, actor=org["implementer"], items=_items(org))
    with pytest.raises(DomainError, match="退回必须填写原因"):
        services.product_request_decide(request=pr, actor=org["regional_pm"], approve=False)
    pr = services.product_request_decide(request=pr, actor=org["regional_pm"], approve=False, comment="版本号有误")
    assert pr.state == ProductRequest.State.RETURNED


def test_outsiders_cannot_file_a_product_request(org, project):
    with pytest.raises(PermissionDenied):
        services.product_request_create(project=project, actor=org["sales2"], items=_items(org))


# -- weekly reports ---------------------------------------------------------------------------


def test_weekly_report_reminder_on_monday_only_for_missing_reports(org, project, dispatched, time_machine):
    time_machine.move_to(datetime(2026, 11, 23, 10, 0, tzinfo=SH))  # a Monday
    second = services.project_initiate(
        registration=dispatched(), actor=org["project_director"], name="第二个项目", overview="", svn_path="",
        feasibility="可行", risk="可控", pm=org["regional_pm_south"],
    )  # fmt: skip
    services.weekly_report_file(project=project, actor=org["regional_pm"], last_week="部署", this_week="联调")
    assert services.weekly_report_reminders() == 1
    reminder = Notification.objects.get(kind="weekly_reminder")
    assert reminder.recipient == org["regional_pm_south"] and "第二个项目" in reminder.title
    assert list(services.projects_missing_report(date(2026, 11, 23))) == [second]
    time_machine.move_to(datetime(2026, 11, 30, 10, 0, tzinfo=SH))  # next Monday: both are missing again
    assert services.weekly_report_reminders() == 2


def test_weekly_report_needs_its_content_and_a_member(org, project):
    with pytest.raises(DomainError):
        services.weekly_report_file(project=project, actor=org["regional_pm"], last_week="", this_week="x")
    with pytest.raises(PermissionDenied):
        services.weekly_report_file(project=project, actor=org["sales2"], last_week="x", this_week="y")
