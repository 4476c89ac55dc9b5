"""No form loses what was typed: one test per form posts a submission that is refused and checks
that every typed value comes back. Every URL is listed either here (COVERED) or in NO_TYPED_INPUT,
so a new form without such a test fails test_every_form_is_covered."""

import html
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import get_resolver, reverse

from aftersales import services as aftersales_services
from pmis.catalog.models import DocumentType, Product
from pmis.org.models import User
from pmis.worktime.models import SlaPolicy
from projects import services as project_services
from projects.models import RequirementItem
from registrations.services import registration_submit

pytestmark = pytest.mark.django_db

COVERED: set[str] = set()

# URLs whose pages or buttons take nothing typed that a refusal could lose (lists filter by GET,
# covered by the list-filter tests), and Django's password change (passwords are never sent back).
NO_TYPED_INPUT = {
    "home", "healthz", "favicon", "logout", "password_change", "password_change_done",
    "approvals:inbox", "approvals:claim", "approvals:release",
    "registrations:mine", "registrations:new", "registrations:queue", "registrations:detail", "registrations:pdf",
    "projects:mine", "projects:all", "projects:weekly_missing", "projects:detail", "projects:product_request",
    "projects:requirements_confirm",
    "aftersales:handover", "aftersales:tickets", "aftersales:ticket", "aftersales:metrics",
    "documents:download", "notify:list", "notify:open", "notify:read_all",
    "catalog:products", "catalog:document_types", "org:directory",
    # search answers GET requests (the header box, its results page, the pickers' JSON): no form to refuse
    "search:results", "search:suggest", "search:pick",
    # only refused when the outsourcing was already handled or is not his: the form is gone then
    "registrations:outsourcing_done",
    # a workspace tab is a page; its forms post to their own URLs
    "projects:tab",
    # the sign-in sheet is a PDF; completing a session takes only its attendees' ticks, refused only with none
    "delivery:sign_in_sheet", "delivery:training_session_complete",
    # offered only while the requirement list has custom items and no review waits: refused, the form is gone
    "delivery:review_request",
    # a one-line result: refused only when it is empty, or when the item was closed meanwhile (the form is gone)
    "delivery:action_done", "delivery:issue_close",
}  # fmt: skip


def covers(*names):
    def register(test):
        COVERED.update(names)
        return test

    return register


def _body(response) -> str:
    return html.unescape(response.content.decode())


def _kept(response, *values):
    assert response.status_code == 200, response.status_code
    body = _body(response)
    for value in values:
        assert f'value="{value}"' in body or f">{value}</textarea>" in body or f"{value}</textarea>" in body, value
    return body


def _selected(body, value):
    assert f'value="{value}" selected' in body, value


def _picked(body, name, user):
    """A person chosen in a picker (search/picker_widget.html) comes back as the hidden value the
    form posts and, for the eye, as the name shown in the box (one choice) or on a chip (several)."""
    label = f"{user.display_name or user.username}（{user.username}）"
    assert re.search(rf'<input type="hidden" name="{name}" value="{user.pk}"', body), (name, user.pk)
    assert f'value="{label}"' in body or f"<span>{label}</span>" in body, label


def test_every_form_is_covered():
    names = set()
    for pattern in get_resolver().url_patterns:
        namespace = getattr(pattern, "namespace", None)
        if namespace == "admin":
            continue
        children = pattern.url_patterns if hasattr(pattern, "url_patterns") else [pattern]
        for child in children:
            if getattr(child, "name", None):
                names.add(f"{namespace}:{child.name}" if namespace else child.name)
    missing = names - COVERED - NO_TYPED_INPUT
    assert missing == set(), f"没有“提交被拒后保留输入”测试的表单：{sorted(missing)}"


# -- sign-in ---------------------------------------------------------------------------------


@covers("login")
def test_login_keeps_the_user_name(client, org):
    response = client.post(reverse("login"), {"username": "sales", "password": "wrong"})
    _kept(response, "sales")


# -- registrations ---------------------------------------------------------------------------


@covers("registrations:create", "registrations:edit")
def test_registration_form(client, org):
    client.force_login(org["sales"])
    data = {
        "customer_name": "某某省人民医院", "customer_short_name": "某医院", "user_scale": "约 3000 人",
        "contract_amount": "-500000", "go_live_date": "2020-01-01", "main_business": "医疗",
        "stakeholders-TOTAL_FORMS": "1", "stakeholders-INITIAL_FORMS": "0",
        "stakeholders-0-name": "张工", "stakeholders-0-phone": "13900000000", "stakeholders-0-role": "信息中心",
        "systems-TOTAL_FORMS": "2", "systems-INITIAL_FORMS": "0",
        "systems-0-system_type": "OA", "systems-0-name": "EKP", "systems-0-vendor": "蓝凌",
        "systems-1-system_type": "ERP", "systems-1-name": "K3 Cloud", "systems-1-vendor": "",
        "action": "save",
    }  # fmt: skip
    response = client.post(reverse("registrations:create", args=["saas"]), data)
    body = _kept(
        response, "某某省人民医院", "某医院", "约 3000 人", "-500000", "2020-01-01", "医疗",
        "张工", "13900000000", "信息中心", "EKP", "蓝凌", "K3 Cloud",
    )  # fmt: skip
    assert "对接业务系统第 2 行（ERP / K3 Cloud）：请填写厂商" in body and "合同金额（元）不能为负数" in body


@covers("registrations:decide")
def test_registration_decision(client, org, make_registration):
    r = registration_submit(registration=make_registration(), actor=org["sales"])
    client.force_login(org["business_approver"])
    data = {"decision": "approve", "comment": "合同已核", "seen_state": r.state, "check_contract_status": "on"}
    response = client.post(reverse("registrations:decide", args=[r.pk]), data)
    body = _kept(response, "合同已核")
    assert "请完成商务审核要点" in body
    assert re.search(r'name="check_contract_status"[^>]*checked', body)
    assert re.search(r'name="decision" value="approve"[^>]*checked', body)


@covers("registrations:withdraw")
def test_registration_withdraw(client, org, make_registration):
    r = registration_submit(registration=make_registration(), actor=org["sales"])
    client.force_login(org["sales"])
    reason = "客户" * 251  # longer than the 500 characters allowed
    response = client.post(reverse("registrations:withdraw", args=[r.pk]), {"reason": reason})
    body = _kept(response, reason)
    assert "撤回原因" in body
    r.refresh_from_db()
    assert r.state == "pending_business"


# -- projects --------------------------------------------------------------------------------


@covers("projects:initiate")
def test_initiation(client, org, dispatched):
    r = dispatched()
    client.force_login(org["project_director"])
    data = {
        "name": "某项目", "overview": "概述文字", "svn_path": "/svn/x", "feasibility": "", "risk": "风险可控",
        "pm": org["regional_pm"].pk, "meeting_date": "2019-01-01", "participants": "王晓明", "minutes": "纪要",
    }  # fmt: skip
    body = _kept(
        client.post(reverse("projects:initiate", args=[r.pk]), data),
        "某项目", "/svn/x", "风险可控", "2019-01-01", "王晓明", "概述文字", "纪要",
    )  # fmt: skip
    _picked(body, "pm", org["regional_pm"])
    assert "交接会议日期不能早于" in body


def _trial_run(org, project, upload):
    pm = org["regional_pm"]
    upload(project, "requirement-confirmation")
    project_services.requirements_confirm(project=project, actor=pm)
    upload(project, "trial-run-confirmation")
    for action in ("start_requirements", "start_implementation", "start_trial_run"):
        project = project_services.project_transition(project=project, actor=pm, action=action)
    return project


@covers("projects:transition")
def test_phase_transition(client, org, project, upload):
    project = _trial_run(org, project, upload)
    client.force_login(org["regional_pm"])
    data = {"action": "terminate_after_trial", "comment": "客户认为签署速度不达标"}
    body = _kept(client.post(reverse("projects:transition", args=[project.pk]), data), "客户认为签署速度不达标")
    assert "试运行分析报告" in body


@covers("projects:team")
def test_team(client, org, project):
    client.force_login(org["regional_pm"])
    response = client.post(reverse("projects:team", args=[project.pk]), {"implementers": [org["implementer"].pk]})
    body = _kept(response)
    _picked(body, "implementers", org["implementer"])


@covers("projects:requirement_add")
def test_requirement_add(client, org, project):
    client.force_login(org["regional_pm"])
    data = {"title": "", "description": "与自建 OA 对接", "classification": "standard"}
    body = _kept(client.post(reverse("projects:requirement_add", args=[project.pk]), data), "与自建 OA 对接")
    _selected(body, "standard")


@covers("projects:requirement_update")
def test_requirement_update(client, org, project):
    item = project_services.requirement_add(project=project, actor=org["regional_pm"], title="签署页水印")
    client.force_login(org["regional_pm"])
    data = {"classification": "nonsense", "status": "done", "follow_up": "已与客户确认水印位置"}
    url = reverse("projects:requirement_update", args=[project.pk, item.pk])
    body = _kept(client.post(url, data), "已与客户确认水印位置")
    _selected(body, "done")


@covers("projects:customisation_action")
def test_customisation_estimate(client, org, project):
    item = project_services.requirement_add(
        project=project, actor=org["regional_pm"], title="对接自建流程平台",
        classification=RequirementItem.Classification.CUSTOM_OUT_OF_CONTRACT,
    )  # fmt: skip
    cr = item.customisation
    client.force_login(org["regional_pm"])
    url = reverse("projects:customisation_action", args=[project.pk, cr.pk, "estimate"])
    data = {"seen_state": "estimating", "person_days": "5000", "rd_expert": org["rd_expert"].pk, "note": "含接口开发"}
    body = _kept(client.post(url, data), "5000", "含接口开发")
    _selected(body, org["rd_expert"].pk)
    assert "工作量不能超过 1000 人天" in body


@covers("projects:task_assign")
def test_task_assign(client, org, confirmed):
    project = confirmed
    client.force_login(org["regional_pm"])
    data = {
        "type": "onsite", "title": "现场部署", "assignee": org["implementer"].pk, "due_date": "2020-01-01",
        "description": "带上加密狗",
    }  # fmt: skip
    body = _kept(client.post(reverse("projects:task_assign", args=[project.pk]), data), "现场部署", "2020-01-01")
    assert "带上加密狗" in body and "计划完成日期不能早于" in body
    _selected(body, "onsite")
    _picked(body, "assignee", org["implementer"])


@covers("projects:task_act")
def test_task_finish(client, org, confirmed):
    project = confirmed
    task = project_services.delivery_task_assign(
        project=project, actor=org["regional_pm"], type="onsite", title="现场部署", assignee=org["implementer"]
    )
    for action in ("accept", "start"):
        project_services.delivery_task_act(task=task, actor=org["implementer"], action=action)
    client.force_login(org["implementer"])
    data = {"action": "finish", "result": "已完成部署与联调"}
    body = _kept(client.post(reverse("projects:task_act", args=[project.pk, task.pk]), data), "已完成部署与联调")
    assert "客户服务单" in body


@covers("projects:weekly_report")
def test_weekly_report(client, org, project):
    client.force_login(org["regional_pm"])
    data = {"last_week": "", "this_week": "联调", "coordination": "需客户开放端口"}
    body = _kept(client.post(reverse("projects:weekly_report", args=[project.pk]), data))
    assert "联调</textarea>" in body and "需客户开放端口</textarea>" in body


@covers("projects:news")
def test_news(client, org):
    client.force_login(org["project_director"])
    data = {"title": "", "body": "北京某银行项目上线", "project_code": "PJ-NONE"}
    body = _kept(client.post(reverse("projects:news"), data), "PJ-NONE")
    assert "北京某银行项目上线</textarea>" in body


@covers("projects:product_request_new")
def test_product_request_new(client, org, confirmed):
    project = confirmed
    product = Product.objects.get(name="电子印章认证")
    client.force_login(org["implementer"])
    data = {
        "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "1000", "items-0-product": product.pk, "items-0-version": "V5.2",
        "items-0-licence_count": "0", "items-0-kind": "standard",
        "note": "急用",
    }  # fmt: skip
    body = _kept(client.post(reverse("projects:product_request_new", args=[project.pk]), data), "V5.2", "0")
    assert "急用</textarea>" in body and "授权数量不能小于 1" in body
    _selected(body, product.pk)


def _pending_product(org, project):
    items = [{"product": Product.objects.get(name="电子印章认证"), "version": "V5.2", "licence_count": 10}]
    pr = project_services.product_request_create(project=project, actor=org["implementer"], items=items)
    project_services.product_request_decide(request=pr, actor=org["regional_pm"], approve=True)
    project_services.product_request_decide(request=pr, actor=org["business_approver"], approve=True)
    return pr


@covers("projects:product_request_action")
def test_issuing_before_the_licence_keeps_the_download_paths(client, org, confirmed):
    project = confirmed
    pr = _pending_product(org, project)
    item = pr.items.get()
    client.force_login(org["product_dept"])
    url = reverse("projects:product_request_action", args=[project.pk, pr.pk, "issue"])
    data = {"seen_state": "pending_product", f"path_{item.pk}": "/dl/seal-5.2", "note": "授权稍后上传"}
    body = _kept(client.post(url, data), "/dl/seal-5.2", "授权稍后上传")
    assert "请先上传产品授权文件" in body


# -- after-sales ----------------------------------------------------------------------------


@covers("aftersales:handover_new")
def test_handover_new(client, org, accepted):
    client.force_login(org["regional_pm"])
    data = {"route": "nowhere", "note": "资料已齐"}
    body = _kept(client.post(reverse("aftersales:handover_new", args=[accepted.pk]), data))
    assert "资料已齐</textarea>" in body


@covers("aftersales:handover_decide")
def test_handover_audit(client, org, accepted):
    handover = aftersales_services.handover_submit(project=accepted, actor=org["regional_pm"])
    item = handover.items.get(code="summary-report")
    client.force_login(org["aftersales"])
    data = {"seen_state": "pending_audit", f"verdict_{item.pk}": "wrong", f"note_{item.pk}": "", "comment": "请补充"}
    body = _kept(client.post(reverse("aftersales:handover_decide", args=[handover.pk]), data), "请补充")
    assert '<option value="wrong" selected>' in body


@covers("aftersales:ticket_new")
def test_ticket_new(client, org, project):
    client.force_login(org["aftersales"])
    data = {
        "project_code": project.code, "subject": "签章服务无法访问", "reporting_unit": "信息中心", "reporter": "张工",
        "reporter_phone": "13900000000", "reported_at": "2099-01-01T10:00", "channel": "phone",
        "situation": "全部用户无法签署", "description": "从 9 点开始", "time_requirement": "今天恢复",
    }  # fmt: skip
    response = client.post(reverse("aftersales:ticket_new"), data)
    body = _kept(response, project.code, "签章服务无法访问", "信息中心", "张工", "13900000000", "2099-01-01T10:00")
    assert "全部用户无法签署</textarea>" in body and "从 9 点开始</textarea>" in body
    assert "申报时间不能晚于当前时间" in body


@covers("aftersales:ticket_action")
def test_ticket_resolution_is_kept_when_refused(client, org, project):
    ticket = aftersales_services.ticket_create(
        project=project, actor=org["aftersales"],
        data={"subject": "签章服务无法访问", "reporting_unit": "信息中心", "reporter": "张工"},
    )  # fmt: skip
    client.force_login(org["aftersales"])
    url = reverse("aftersales:ticket_action", args=[ticket.pk, "triage"])
    response = client.post(url, {"seen_state": "new", "severity": "999999"})
    assert response.status_code == 200 and "请选择问题级别" in _body(response)
    severity = SlaPolicy.objects.get(code="ticket-urgent")
    aftersales_services.ticket_triage(ticket=ticket, actor=org["aftersales"], severity=severity)
    aftersales_services.ticket_assign(ticket=ticket, actor=org["aftersales"], to=org["aftersales"])
    aftersales_services.ticket_start(ticket=ticket, actor=org["aftersales"])
    url = reverse("aftersales:ticket_action", args=[ticket.pk, "pause"])
    body = _kept(client.post(url, {"seen_state": "in_progress", "reason": "  "}))
    assert "请填写等待客户的原因" in body


@covers("aftersales:ticket_reply")
def test_ticket_reply_is_kept_when_refused(client, org, project):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = aftersales_services.ticket_create(
        project=project, actor=org["aftersales"],
        data={"subject": "签章服务无法访问", "reporting_unit": "信息中心", "reporter": "张工"},
    )  # fmt: skip
    client.force_login(org["aftersales"])
    log = DocumentType.objects.get(code="ticket-log")
    data = {"body": "日志见附件", "internal": "on", "doc_type": log.pk, "files": SimpleUploadedFile("a.exe", b"MZ\x90")}
    body = _kept(client.post(reverse("aftersales:ticket_reply", args=[ticket.pk]), data))
    assert "日志见附件</textarea>" in body
    assert re.search(r'<input type="checkbox" name="internal"[^>]* checked', body)
    _selected(body, log.pk)
    assert "不支持的文件类型" in body


# -- shared ----------------------------------------------------------------------------------


@covers("approvals:reassign")
def test_reassign(client, org, make_registration):
    registration_submit(registration=make_registration(), actor=org["sales"])
    colleague = User.objects.create_user(username="business_approver2", password="x", display_name="赵审批")
    colleague.groups.add(Group.objects.get(name="business_approver"))
    from approvals.selectors import inbox_for

    task = inbox_for(org["business_approver"]).get()
    client.force_login(org["business_approver"])
    response = client.post(reverse("approvals:reassign", args=[task.pk]), {"to_user": "", "reason": "本周出差"})
    assert "本周出差</textarea>" in _body(response)


@covers("documents:upload")
def test_upload(client, org, project):
    client.force_login(org["regional_pm"])
    doc_type = DocumentType.objects.get(code="requirement-confirmation")
    url = reverse("documents:upload", args=[_ct(project), project.pk])
    data = {"doc_type": doc_type.pk, "note": "客户签字版", "next": project.get_absolute_url()}
    response = client.post(url, data, follow=True)
    body = _kept(response, "客户签字版")
    _selected(body, doc_type.pk)
    assert "请重新选择文件" in body


def _ct(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


# -- delivery (会议 / 培训 / 验收 / 满意度) ------------------------------------------------------------


def _post(client, name, args, data):
    return client.post(reverse(f"delivery:{name}", args=args), data)


@covers("delivery:meeting_new")
def test_meeting_new(client, org, project):
    client.force_login(org["regional_pm"])
    data = {"kind": "kickoff", "held_on": "2026-11-20", "attendees": "客户代表张主任", "strategy": "分两批上线"}
    body = _kept(_post(client, "meeting_new", [project.pk], data), "客户代表张主任", "分两批上线", "2026-11-20")
    _selected(body, "kickoff")
    assert "项目目标" in body


@covers("delivery:meeting_end", "delivery:action_new")
def test_meeting_end_and_action_items(client, org, project):
    from django.utils import timezone

    from delivery.services import meetings

    pm = org["regional_pm"]
    meeting = meetings.meeting_create(
        project=project, actor=pm, kind="briefing", held_on=timezone.localdate(), data={"attendees": "售前、交付"}
    )
    client.force_login(pm)
    body = _kept(
        _post(client, "meeting_end", [project.pk, meeting.pk], {f"end{meeting.pk}-minutes": "交底纪要"}), "交底纪要"
    )
    assert "风险" in body
    data = {f"act{meeting.pk}-title": "补充风险应对", f"act{meeting.pk}-owner": org["implementer"].pk,
            f"act{meeting.pk}-due_date": "2020-01-01"}  # fmt: skip
    body = _kept(_post(client, "action_new", [project.pk, meeting.pk], data), "补充风险应对")
    _picked(body, f"act{meeting.pk}-owner", org["implementer"])
    assert "早于今天" in body


@covers("delivery:review_decide")
def test_reviews(client, org, confirmed, upload):
    pm = org["regional_pm"]
    project = confirmed
    for action in ("start_requirements", "start_implementation", "start_trial_run"):
        project = project_services.project_transition(project=project, actor=pm, action=action)
    upload(project, "trial-run-analysis")
    project_services.project_transition(project=project, actor=pm, action="terminate_after_trial", comment="不认可")
    review = project.reviews.get()
    client.force_login(org["executive"])
    data = {"seen_state": "pending", "decision": "重新商定指标", "title_1": "出方案"}
    body = _kept(_post(client, "review_decide", [project.pk, review.pk, "decide"], data), "重新商定指标", "出方案")
    assert "负责人" in body


@covers("delivery:training_plan_new", "delivery:training_session_new", "delivery:training_notice")
def test_training(client, org, project):
    from delivery.services import training

    pm = org["regional_pm"]
    client.force_login(pm)
    data = {"title": "操作培训", "audience": "信息中心", "content": "签章管理", "trainer": org["sales2"].pk}
    body = _kept(_post(client, "training_plan_new", [project.pk], data), "操作培训", "信息中心", "签章管理")
    assert "项目组成员" in body
    plan = training.training_plan_create(
        project=project, actor=pm, title="操作培训", audience="信息中心", content="签章", trainer=pm
    )
    data = {f"s{plan.pk}-starts_at": "2026-12-01T09:30", f"s{plan.pk}-location": "三楼会议室",
            f"s{plan.pk}-topic": "印章管理", f"s{plan.pk}-attendees": ""}  # fmt: skip
    body = _kept(_post(client, "training_session_new", [project.pk, plan.pk], data), "三楼会议室", "印章管理")
    assert "2026-12-01T09:30" in body
    body = _kept(
        _post(client, "training_notice", [project.pk, plan.pk], {f"n{plan.pk}-notice": "周三上午培训"}), "周三上午培训"
    )
    assert "先安排培训场次" in body


@covers("delivery:size_set", "delivery:acceptance_submit", "delivery:acceptance_decide")
def test_acceptance(client, org, project):
    from delivery.models import AcceptanceApproval
    from projects.models import Project

    Project.objects.filter(pk=project.pk).update(state="acceptance", size="small")
    client.force_login(org["regional_pm"])
    body = _kept(_post(client, "acceptance_submit", [project.pk], {"note": "请审批验收报告"}), "请审批验收报告")
    assert "须先上传《安装验收报告》" in body
    approval = AcceptanceApproval.objects.create(project=project, submitted_by=org["regional_pm"])
    body = _body(_post(client, "size_set", [project.pk], {"size": "large"}))
    assert "不能再改项目规模" in body
    _selected(body, "large")
    client.force_login(org["aftersales"])  # 客户服务部 decides only after the CM engineer
    data = {"seen_state": "pending_cm", "comment": "同意验收"}
    body = _body(_post(client, "acceptance_decide", [project.pk, approval.pk, "approve"], data))
    assert "不在您的待办中" in body


@covers("delivery:issue_new")
def test_acceptance_issues(client, org, accepted):
    client.force_login(org["regional_pm"])
    body = _kept(
        _post(client, "issue_new", [accepted.pk], {"title": "", "description": "导出偶发超时"}), "导出偶发超时"
    )
    assert "请填写遗留问题" in body


@covers("delivery:survey_send", "delivery:survey_record", "delivery:survey_answer")
def test_satisfaction(client, org, accepted):
    from delivery.services import satisfaction

    survey = satisfaction.survey_send(project=accepted, actor=org["regional_pm"], contact="李处长")
    client.force_login(org["regional_pm"])
    body = _kept(_post(client, "survey_send", [accepted.pk], {"contact": "张主任"}), "张主任")
    assert "已有一份调查等待客户回复" in body
    data = {"overall": "5", "quality": "4", "service": "5", "comment": "电话回访意见"}
    body = _kept(_post(client, "survey_record", [accepted.pk, survey.pk], data), "电话回访意见")
    assert re.search(r'name="quality" value="4"[^>]*checked', body)
    client.logout()
    body = _kept(client.post(satisfaction.survey_link(survey), {**data, "comment": "很好"}), "很好")
    assert "请为每一项打分" in body
