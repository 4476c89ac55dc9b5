"""No form loses what was typed: one test per form posts a submission that is refused and checks
that every typed value comes back. Every URL is listed either here (COVERED) or in NO_TYPED_INPUT,
so a new form without such a test fails test_every_form_is_covered."""

import html
import re
from datetime import date

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
    "projects:customisation", "projects:requirements_confirm", "projects:tab",
    "aftersales:handover", "aftersales:tickets", "aftersales:ticket", "aftersales:metrics",
    "changes:change", "changes:bug", "changes:release", "changes:bug_month",
    "documents:download", "notify:list", "notify:open", "notify:read_all",
    "catalog:products", "catalog:products_maintain", "catalog:document_types", "org:directory",
    # search answers GET requests (the header box, its results page, the pickers' JSON): no form to refuse
    "search:results", "search:suggest", "search:pick",
    # only refused when the outsourcing was already handled or is not his: the form is gone then
    "registrations:outsourcing_done",
    # planning: downloads, buttons with nothing typed, and a file chooser (a browser never refills one)
    "planning:plan_export", "planning:plan_pdf", "planning:raci_export", "planning:raci_generate",
    "planning:plan_delete", "planning:plan_import",  # a workspace tab is a GET page; its forms post to their own URLs

    # customer success and platform operations: lists, record pages and a button without input
    "success:orders", "success:order", "success:ops", "success:support", "success:request", "success:licences",
    "platformops:deployments", "platformops:deployment",
    # the department pages of 商务管理部, 产品管理部 and 研发: queues filtered by GET
    "approvals:department_business", "approvals:department_product", "approvals:department_rd",

    # 催办 and 撤销代理 are single buttons; 抄送我的 is a list
    "approvals:urge", "approvals:delegation_end", "approvals:copied",
    # called by 钉钉 / 飞书 / 企业微信 servers, not a form
    "approvals:im_callback",

    # operations and knowledge pages and lists (GET), and the on-site buttons: the departure note
    # is refused only when it is empty
    "operations:incidents", "operations:incident", "operations:onsite", "operations:onsite_action",
    "operations:repair", "operations:inspection", "operations:duty", "operations:duty_roster",
    "knowledge:articles", "knowledge:article", "knowledge:similar",

    # a workspace tab is a page; its forms post to their own URLs
    # the sign-in sheet is a PDF; completing a session takes only its attendees' ticks, refused only with none
    "delivery:sign_in_sheet", "delivery:training_session_complete",
    # offered only while the requirement list has custom items and no review waits: refused, the form is gone
    "delivery:review_request",
    # a one-line result: refused only when it is empty, or when the item was closed meanwhile (the form is gone)
    "delivery:action_done", "delivery:issue_close",
    # 市场部's list of surveys (GET: keyword, sort, pages)
    "delivery:surveys",
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
    # The REST API answers JSON: a refusal is {code, message, fields} and the calling system keeps
    # its own input; only its token page is a form.
    api_json = {n for n in names if n.startswith("api:") and n not in ("api:tokens", "api:token_revoke")}
    missing = names - COVERED - NO_TYPED_INPUT - api_json
    assert missing == set(), f"没有“提交被拒后保留输入”测试的表单：{sorted(missing)}"


# -- 产品目录维护 ------------------------------------------------------------------------------


@covers("catalog:product_new", "catalog:product_edit")
def test_product_forms(client, demo):
    product = Product.objects.get(name="悦文云文档")
    client.force_login(demo["product_dept"])
    typed = {"name": "悦文云文档", "code": "cloud-docs-2", "kind": "service", "project_class": "saas",
             "sort_order": "12", "description": "新的说明"}  # fmt: skip
    body = _kept(client.post(reverse("catalog:product_new"), typed), "cloud-docs-2", "12", "新的说明")
    _selected(body, "service")
    assert "已存在" in body  # the name is taken
    other = Product.objects.exclude(pk=product.pk).first()
    edited = {**typed, "name": "改名后的云文档", "code": other.code}
    body = _kept(client.post(reverse("catalog:product_edit", args=[product.pk]), edited), "改名后的云文档", "12")
    assert "已存在" in body and Product.objects.get(pk=product.pk).name == "悦文云文档"


# -- API tokens ------------------------------------------------------------------------------


@covers("api:tokens")
def test_api_token_form(client, org):
    from api.tokens import token_create

    token_create(user=org["sales"], actor=org["sales"], name="OA 同步", days=30)
    client.force_login(org["sales"])
    response = client.post(reverse("api:tokens"), {"name": "OA 同步", "days": "45", "scopes": ["read", "tickets"]})
    body = _kept(response, "OA 同步", "45")
    assert "已有名为“OA 同步”的令牌" in body
    assert re.search(r'value="tickets"[^>]*checked', body)


@covers("api:token_revoke")
def test_api_token_revoke_refused_keeps_nothing_to_lose(client, org):
    """Revoking has no typed input; a refusal (already revoked) says so on the token page."""
    from api.tokens import token_create, token_revoke

    token, _raw = token_create(user=org["sales"], actor=org["sales"], name="旧令牌", days=30)
    token_revoke(token=token, actor=org["sales"])
    client.force_login(org["sales"])
    response = client.post(reverse("api:token_revoke", args=[token.pk]), follow=True)
    assert "该令牌已吊销" in _body(response)


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
    _picked(body, "rd_expert", org["rd_expert"])
    assert "工作量不能超过 1000 人天" in body


@covers("projects:customisation_rd")
def test_customisation_rd_return_without_a_reason(client, org, project):
    item = project_services.requirement_add(
        project=project, actor=org["regional_pm"], title="对接自建流程平台",
        classification=RequirementItem.Classification.CUSTOM_OUT_OF_CONTRACT,
    )  # fmt: skip
    cr = project_services.customisation_estimate(
        request=item.customisation, actor=org["regional_pm"], person_days=5, note="", rd_expert=org["rd_expert"]
    )
    client.force_login(org["rd_expert"])
    url = reverse("projects:customisation_rd", args=[project.pk, cr.pk])
    data = {"seen_state": "pending_rd", "decision": "return", "solution": "走流程平台开放接口", "comment": ""}
    body = _kept(client.post(url, data), "走流程平台开放接口")
    assert "退回时请填写原因" in body


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


# -- after go-live: 需求变更, BUG, 版本发布 ----------------------------------------------------


@covers("changes:change_new", "changes:change_action")
def test_change_request_forms(client, org, accepted):
    from changes import services as change_services

    client.force_login(org["implementer"])
    data = {"kind": "change", "title": "审批增加会签", "proposer": "", "description": "法务会签"}
    body = _kept(client.post(reverse("changes:change_new", args=[accepted.pk]), data), "审批增加会签")
    assert "法务会签</textarea>" in body and "请填写业务提出人" in body
    _selected(body, "change")
    cr = change_services.change_request_submit(
        project=accepted, actor=org["implementer"], data={**data, "proposer": "李科长"}
    )
    client.force_login(org["regional_pm"])
    change_services.change_request_review(change=cr, actor=org["regional_pm"], approved=True, answer="同意")
    data = {
        "evaluate-impact": "影响审批流", "evaluate-person_days": "3", "evaluate-size": "large",
        "evaluate-planned_date": "2020-01-01", "evaluate-needs_meeting": "on",
    }  # fmt: skip
    body = _kept(client.post(reverse("changes:change_action", args=[cr.pk, "evaluate"]), data), "3", "2020-01-01")
    assert "影响审批流</textarea>" in body and "不能早于今天" in body
    _selected(body, "large")


@covers("changes:bug_new", "changes:bug_action")
def test_bug_forms(client, org, accepted):
    from changes import services as change_services

    client.force_login(org["implementer"])
    data = {"title": "", "origin": "product", "product_version": "签章 V3", "description": "偶发超时"}
    body = _kept(client.post(reverse("changes:bug_new", args=[accepted.pk]), data), "签章 V3")
    assert "偶发超时</textarea>" in body and "请填写问题主题" in body
    _selected(body, "product")
    bug = change_services.bug_file(project=accepted, actor=org["implementer"], data={**data, "title": "超时"})
    client.force_login(org["regional_pm"])
    body = _kept(client.post(reverse("changes:bug_action", args=[bug.pk, "confirm"]), {
        "confirm-decision": "wont_fix", "confirm-note": ""}))  # fmt: skip
    assert "须填写告知用户方的原因" in body
    assert re.search(r'<input type="radio" name="confirm-decision" value="wont_fix"[^>]* checked', body)


@covers("changes:release_new", "changes:release_action")
def test_release_forms(client, org, accepted):
    from changes import services as change_services

    client.force_login(org["implementer"])
    data = {
        "version": "V3.2.1", "planned_at": "2020-01-01T20:00", "reason": "修复超时", "problems_solved": "超时",
        "change_notes": "优化队列", "downtime": "on", "customer_notified_on": "",
    }  # fmt: skip
    body = _kept(client.post(reverse("changes:release_new", args=[accepted.pk]), data), "V3.2.1", "2020-01-01T20:00")
    assert "优化队列</textarea>" in body
    assert re.search(r'<input type="checkbox" name="downtime"[^>]* checked', body)
    from datetime import timedelta

    from django.utils import timezone

    release = change_services.release_request(
        project=accepted, actor=org["implementer"],
        data={**data, "downtime": False, "planned_at": timezone.now() + timedelta(days=1)},
    )  # fmt: skip
    if release.state == "pending_director":
        release = change_services.release_director_decide(release=release, actor=org["project_director"], approve=True)
    client.force_login(org["regional_pm"])
    release = change_services.release_assign_tester(release=release, actor=org["regional_pm"], tester=org["quality"])
    client.force_login(org["quality"])
    body = _kept(client.post(reverse("changes:release_action", args=[release.pk, "test"]), {
        "test-passed": "no", "test-result": ""}))  # fmt: skip
    assert "请填写测试记录" in body
    assert re.search(r'<input type="radio" name="test-passed" value="no"[^>]* checked', body)


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
    documents_tab = reverse("projects:tab", args=[project.pk, "documents"])
    data = {"doc_type": doc_type.pk, "note": "客户签字版", "next": documents_tab}
    response = client.post(url, data, follow=True)
    body = _kept(response, "客户签字版")
    _selected(body, doc_type.pk)
    assert "请重新选择文件" in body


def _ct(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


# -- planning --------------------------------------------------------------------------------


def _plan_item(project, pm, name="环境准备", start=1, end=5, **extra):
    from planning.plan import plan_item_add
    from tests.dates import days_from_today

    return plan_item_add(project=project, actor=pm, name=name, planned_start=date.fromisoformat(days_from_today(start)),
                         planned_end=date.fromisoformat(days_from_today(end)), **extra)  # fmt: skip


@covers("planning:plan_add", "planning:plan_edit")
def test_plan_item_forms_keep_what_was_typed(client, org, project):
    from tests.dates import days_from_today

    pm = org["regional_pm"]
    first = _plan_item(project, pm)
    second = _plan_item(project, pm, "联调", 10, 12, predecessors=[first])
    client.force_login(pm)
    data = {"name": "系统联调", "kind": "task", "status": "planned", "predecessors": "1", "customer_owner": "覃一瀛",
            "planned_start": days_from_today(2), "planned_end": days_from_today(9), "owner": pm.pk}  # fmt: skip
    body = _kept(client.post(reverse("planning:plan_add", args=[project.pk]), data), "系统联调", "覃一瀛")
    _picked(body, "owner", pm)
    data = {**data, "predecessors": "2", "name": "环境准备（改）"}
    response = client.post(reverse("planning:plan_edit", args=[project.pk, first.pk]), data)
    body = _kept(response, "环境准备（改）", "覃一瀛", "2")
    assert "循环依赖" in body and second.pk


@covers("planning:plan_baseline")
def test_rebaseline_reason_is_kept(client, org, project):
    from planning.plan import plan_baseline_set

    pm = org["regional_pm"]
    _plan_item(project, pm)
    plan_baseline_set(project=project, actor=pm)
    client.force_login(pm)
    from planning.models import PlanItem

    PlanItem.objects.filter(project=project).delete()  # refused: nothing to baseline
    _kept(client.post(reverse("planning:plan_baseline", args=[project.pk]), {"reason": "客户推迟"}), "客户推迟")


@covers("planning:risk_add", "planning:risk_edit", "planning:risk_follow")
def test_risk_forms_keep_what_was_typed(client, org, project):
    from planning.risks import risk_raise, risk_update

    pm = org["regional_pm"]
    client.force_login(pm)
    data = {"source": "procurement", "description": "服务器到货晚", "probability": "3", "impact": "2",
            "strategy": "", "owner": pm.pk, "measures": "背靠背条款"}  # fmt: skip
    body = _kept(client.post(reverse("planning:risk_add", args=[project.pk]), data), "服务器到货晚", "背靠背条款")
    _selected(body, "procurement")
    assert "请选择应对策略" in body
    risk = risk_raise(project=project, actor=pm, source="customer", description="原描述", probability=1, impact=1,
                      strategy="accept", owner=pm)  # fmt: skip
    response = client.post(reverse("planning:risk_edit", args=[project.pk, risk.pk]),
                           {**data, "description": "改过的描述", "status": "open"})  # fmt: skip
    _kept(response, "改过的描述")
    risk_update(risk=risk, actor=pm, status="closed")
    response = client.post(reverse("planning:risk_follow", args=[project.pk, risk.pk]), {"note": "本周已跟进"})
    assert "风险已关闭" in _body(response)


@covers("planning:raci_edit")
def test_raci_row_keeps_what_was_chosen(client, org, project):
    from planning.models import ProjectRaci
    from planning.raci import raci_from_template

    pm = org["regional_pm"]
    raci_from_template(project=project, actor=pm)
    row = ProjectRaci.objects.get(project=project, code="srs-draft")
    client.force_login(pm)
    response = client.post(reverse("planning:raci_edit", args=[project.pk, row.pk]),
                           {"customer": "A", "ours": "A", "third": "I", "ours_person": pm.pk})  # fmt: skip
    body = _body(response)
    assert "只能有一方审批" in body
    _selected(body, "I")
    _picked(body, "ours_person", pm)


@covers("planning:monthly_report")
def test_monthly_report_keeps_what_was_typed(client, org, project):
    from tests.dates import days_from_today

    client.force_login(org["regional_pm"])
    data = {"month": days_from_today(0), "progress": "完成部署", "milestones": "上线按期", "next_month": ""}
    _kept(client.post(reverse("planning:monthly_report", args=[project.pk]), data), "完成部署", "上线按期")


# -- customer success and platform operations ----------------------------------------------


def _order(org, **extra):
    from datetime import timedelta

    from django.utils import timezone

    from success import services as success_services

    today = timezone.localdate()
    return success_services.cloud_order_file(
        actor=org["sales"], customer_name="某某医院",
        items=[{"product": Product.objects.get(name="云签章"), "quantity": 2}], licence_starts_on=today,
        licence_ends_on=today + timedelta(days=365), payment="paid", **extra,
    )  # fmt: skip


@covers("success:order_new")
def test_cloud_order_new(client, org, project):
    client.force_login(org["sales"])
    product = Product.objects.get(name="云签章")
    data = {
        "customer_name": "某某市人民医院", "project_code": project.code, "licence_starts_on": "2027-01-01",
        "licence_ends_on": "2026-01-01", "payment": "instalment", "amount": "12000", "note": "首年",
        "items-TOTAL_FORMS": "3", "items-INITIAL_FORMS": "0", "items-0-product": str(product.pk),
        "items-0-quantity": "5",
    }  # fmt: skip
    body = _kept(
        client.post(reverse("success:order_new"), data), "某某市人民医院", project.code, "2027-01-01", "12000", "5"
    )
    assert "首年</textarea>" in body and "授权截止日须晚于授权起始日" in body
    _selected(body, "instalment")
    _selected(body, str(product.pk))


@covers("success:order_action")
def test_cloud_order_review_is_kept_when_refused(client, org):
    order = _order(org)
    client.force_login(org["business_approver"])
    data = {"decision": "approve", "licence_ok": "on", "payment_ok": "on", "team": "", "comment": "授权已核"}
    body = _kept(client.post(reverse("success:order_action", args=[order.pk, "review"]), data))
    assert "授权已核</textarea>" in body and "请指派开通部门" in body


@covers("success:integration_action")
def test_integration_decline_is_kept_when_refused(client, org, project):
    from success import services as success_services
    from success.models import IntegrationRequest

    order = _order(org, project=project, saas=True)
    success_services.cloud_order_review(
        order=order, actor=org["business_approver"], approve=True, licence_ok=True, payment_ok=True
    )
    success_services.cloud_order_confirm(order=order, actor=org["cs_support"], integration_needed=True, need="对接 HIS")
    integration = IntegrationRequest.objects.get(order=order)
    client.force_login(org["project_director"])
    url = reverse("success:integration_action", args=[integration.pk, "accept"])
    body = _kept(client.post(url, {"assignee": "", "title": "HIS 集成", "comment": "尽快"}), "HIS 集成")
    assert "尽快</textarea>" in body


@covers("success:request_new")
def test_service_request_new(client, org):
    client.force_login(org["cs_staff"])
    data = {
        "type": "seal", "customer_name": "某某医院", "seal-action": "new", "seal-seal_name": "",
        "seal-seal_kind": "legal", "seal-quantity": "2",
    }  # fmt: skip
    body = _kept(client.post(reverse("success:request_new"), data), "某某医院", "2")
    assert "印章名称" in body
    _selected(body, "legal")


@covers("success:request_action")
def test_service_request_result_is_kept_when_refused(client, org):
    from success import services as success_services

    request = success_services.service_request_file(
        actor=org["cs_staff"], type="licence_renewal", customer_name="某某医院",
        data={"product": "云签章", "new_expires_on": "2030-01-01"},
    )  # fmt: skip
    client.force_login(org["cs_ops"])
    url = reverse("success:request_action", args=[request.pk, "finish"])
    body = _kept(client.post(url, {"result": "已续期一年", "new_expires_on": ""}), "已续期一年")
    assert "请填写续期后到期日" in body


@covers("success:licence_term")
def test_licence_term_refusal_keeps_the_page(client, org):
    from datetime import date

    from success.models import Licence

    licence = Licence.objects.create(
        customer_name="某某医院", product=Product.objects.get(name="云签章"), starts_on=date(2026, 1, 1),
        expires_on=date(2027, 1, 1), source="cloud_order",
    )  # fmt: skip
    client.force_login(org["cs_ops"])
    url = reverse("success:licence_term", args=[licence.pk])
    response = client.post(
        url, {"starts_on": "2026-06-01", "expires_on": "2026-01-01", "next": "/success/licences/"}, follow=True
    )
    assert "到期日须晚于起始日" in _body(response)
    licence.refresh_from_db()
    assert licence.expires_on == date(2027, 1, 1)


@covers("platformops:deployment_new")
def test_deployment_new(client, org, project):
    client.force_login(org["regional_pm"])
    data = {"project_code": project.code, "kind": "logs", "reason": ""}
    body = _kept(client.post(reverse("platformops:deployment_new"), data), project.code)
    _selected(body, "logs")
    assert "请填写特殊原因与需求" in body


@covers("platformops:deployment_action")
def test_deployment_execution_is_kept_when_refused(client, org, project):
    from platformops import services as platform_services

    d = platform_services.deployment_request(project=project, actor=org["regional_pm"], kind="deploy", reason="公司云")
    d = platform_services.deployment_decide(deployment=d, actor=org["special_approver"], approve=True)
    d = platform_services.deployment_decide(deployment=d, actor=org["platform_manager"], approve=True)
    client.force_login(org["platform_ops"])
    data = {
        "servers": "cloud-01",
        "versions": "V5.2",
        "started_on": "2026-01-05",
        "finished_on": "2026-01-01",
        "note": "夜间",
    }
    body = _kept(
        client.post(reverse("platformops:deployment_action", args=[d.pk, "execute"]), data), "V5.2", "2026-01-05"
    )
    assert "cloud-01</textarea>" in body and "完成日期不能早于开始日期" in body


# -- approvals: 代理审批, 抄送, 批量审批, 一键审批 ------------------------------------------------------


@covers("approvals:delegations")
def test_delegation_form(client, org):
    client.force_login(org["sales_manager"])
    data = {
        "delegator": org["sales_manager"].pk, "delegate": org["sales_manager"].pk,
        "starts_on": "2099-01-02", "ends_on": "2099-01-05", "reason": "年假", "step_kinds": ["registration"],
    }  # fmt: skip
    body = _kept(client.post(reverse("approvals:delegations"), data), "2099-01-02", "2099-01-05", "年假")
    assert "代理人不能是委托人本人" in body
    assert re.search(r'value="registration"[^>]*checked', body)
    _picked(body, "delegator", org["sales_manager"])


@covers("approvals:copy")
def test_copy_form(client, org, make_registration):
    r = registration_submit(registration=make_registration(), actor=org["sales"])
    from django.contrib.contenttypes.models import ContentType

    client.force_login(org["sales"])
    url = reverse("approvals:copy", args=[ContentType.objects.get_for_model(r).pk, r.pk])
    body = _kept(client.post(url, {"note": "请知悉进度"}), "请知悉进度")
    assert "请选择抄送人" in body


@covers("approvals:bulk_approve")
def test_bulk_approve_form(client, org):
    client.force_login(org["sales_manager"])
    body = _kept(client.post(reverse("approvals:bulk_approve"), {"comment": "同意，按合同执行"}), "同意，按合同执行")
    assert "请先勾选要批量通过的待办" in body


@covers("approvals:act")
def test_return_from_a_link_keeps_the_reason(client, org, make_registration):
    from approvals.links import action_url
    from approvals.selectors import open_tasks_for

    r = registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])
    url = action_url(task=open_tasks_for(r).get(), user=org["sales_manager"], outcome="return")
    body = _body(client.post(url, {"comment": "补" * 501}))
    assert "补" * 501 in body and "确认退回" in body


@covers("approvals:add_signer")
def test_add_signer_form(client, org, make_registration):
    from approvals.selectors import open_tasks_for

    r = registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])
    client.force_login(org["sales_manager"])
    url = reverse("approvals:add_signer", args=[open_tasks_for(r).get().pk])
    body = _kept(client.post(url, {"signer": org["business_approver"].pk, "reason": "涉及合同条款"}), "涉及合同条款")
    assert "请选择加签方式" in body
    _picked(body, "signer", org["business_approver"])


@covers("approvals:return_to")
def test_return_to_form(client, org, make_registration):
    from approvals.selectors import open_tasks_for
    from registrations.services import registration_decide

    r = registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])
    registration_decide(registration=r, actor=org["sales_manager"], decision="approve")
    client.force_login(org["special_approver"])
    url = reverse("approvals:return_to", args=[open_tasks_for(r).get().pk])
    body = _kept(client.post(url, {"reason": "回款计划需重新确认"}), "回款计划需重新确认")
    assert "请选择要退回到的环节" in body


# -- operations and knowledge ------------------------------------------------------------------


@pytest.fixture
def live(org):
    from tests.operations.conftest import make_live_project

    return make_live_project(org)


@covers("operations:incident_new")
def test_incident_new(client, org, live):
    client.force_login(org["regional_pm"])
    data = {"title": "签章服务中断", "reporter": "信息科张工", "channel": "phone", "level": "2", "symptoms": ""}
    body = _kept(client.post(reverse("operations:incident_new", args=[live.pk]), data), "签章服务中断", "信息科张工")
    _selected(body, "2")


@covers("operations:incident_action")
def test_incident_report(client, org, live):
    from operations import services as ops

    incident = ops.incident_report(project=live, actor=org["regional_pm"], data={
        "title": "停服", "reporter": "张工", "channel": "phone", "symptoms": "x", "level": "3"})  # fmt: skip
    ops.incident_recover(incident=incident, actor=org["regional_pm"], note="恢复")
    client.force_login(org["regional_pm"])
    url = reverse("operations:incident_action", args=[incident.pk, "report"])
    response = client.post(url, {"cause": "磁盘写满", "fix": "清理日志", "process": "", "prevention": "日志轮转"})
    body = _kept(response, "磁盘写满", "清理日志", "日志轮转")
    assert "解决经过" in body


@covers("operations:onsite_new")
def test_onsite_new(client, org, live):
    from pmis.org.models import Province

    client.force_login(org["aftersales"])
    beijing = Province.objects.get(name="北京")
    data = {"province": beijing.pk, "address": "", "reason": "硬件故障远程无法排除", "engineer": org["implementer"].pk}
    body = _kept(client.post(reverse("operations:onsite_new", args=[live.pk]), data), "硬件故障远程无法排除")
    _selected(body, beijing.pk)
    _picked(body, "engineer", org["implementer"])


@covers("operations:repair_new")
def test_repair_new(client, org, live):
    client.force_login(org["aftersales"])
    data = {"product": "签章 UKey", "fault": "", "engineer": org["aftersales"].pk}
    body = _kept(client.post(reverse("operations:repair_new", args=[live.pk]), data), "签章 UKey")
    _picked(body, "engineer", org["aftersales"])


@covers("operations:repair_action")
def test_repair_inspect(client, org, live):
    from operations import services as ops

    repair = ops.repair_receive(
        project=live, actor=org["aftersales"], product="UKey", fault="坏", engineer=org["aftersales"]
    )
    client.force_login(org["aftersales"])
    data = {"findings": "芯片损坏", "cost_estimate": "费" * 101}
    _kept(client.post(reverse("operations:repair_action", args=[repair.pk, "inspect"]), data), "芯片损坏")


@covers("operations:inspection_plan")
def test_inspection_plan(client, org, live):
    client.force_login(org["regional_pm"])
    data = {"day_of_month": "31", "inspector": org["implementer"].pk, "checklist": "磁盘\n备份", "agreed_with": "张工"}
    body = _kept(client.post(reverse("operations:inspection_plan", args=[live.pk]), data), "31", "张工")
    assert "磁盘\n备份</textarea>" in body


@covers("operations:inspection_record")
def test_inspection_record(client, org, live):
    from django.utils import timezone

    from operations import services as ops
    from operations.models import Inspection

    ops.inspection_plan_set(project=live, actor=org["regional_pm"], day_of_month=1, inspector=org["implementer"],
                            checklist="磁盘")  # fmt: skip
    ops.inspections_open_due(today=timezone.localdate().replace(day=1))
    inspection = Inspection.objects.get()
    client.force_login(org["implementer"])
    url = reverse("operations:inspection_record", args=[inspection.pk])
    body = _kept(client.post(url, {"ok_0": "0", "note_0": "", "summary": "磁盘告警"}))
    assert "磁盘告警</textarea>" in body
    _selected(body, "0")


@covers("operations:duty_roster_new")
def test_duty_roster_new(client, org):
    client.force_login(org["emergency"])
    body = _kept(client.post(reverse("operations:duty_roster_new"), {"holiday": "春节", "year": "2031"}), "2031")
    _selected(body, "春节")


@covers("operations:duty_shift")
def test_duty_shift(client, org):
    from operations.models import DutyRoster

    roster = DutyRoster.objects.create(holiday="国庆节", year=2026, first_day="2026-10-01", last_day="2026-10-07",
                                       created_by=org["emergency"])  # fmt: skip
    client.force_login(org["emergency"])
    data = {"day": "2026-10-09", "user": org["aftersales"].pk, "phone": "13800000000"}
    body = _kept(client.post(reverse("operations:duty_shift", args=[roster.pk]), data), "13800000000", "2026-10-09")
    _picked(body, "user", org["aftersales"])


@covers("operations:complaint")
def test_complaint(client, org, live):
    from django.utils import timezone

    from operations import services as ops

    ticket = aftersales_services.ticket_create(project=live, actor=org["aftersales"], data={
        "subject": "无法登录", "reporting_unit": "信息科", "reporter": "张工", "reported_at": timezone.now(),
        "channel": "phone", "description": "报错"})  # fmt: skip
    ops.complaint_record(ticket=ticket, actor=org["aftersales"], note="第一次投诉")
    client.force_login(org["aftersales"])
    response = client.post(reverse("operations:complaint", args=[ticket.pk]), {"note": "客户再次投诉响应慢"})
    assert "客户再次投诉响应慢</textarea>" in _body(response)


@covers("knowledge:new")
def test_article_new(client, org):
    client.force_login(org["aftersales"])
    data = {
        "title": "签章服务启动失败",
        "problem": "端口占用",
        "cause": "",
        "solution": "结束旧进程",
        "versions": "V3.2",
    }
    body = _kept(client.post(reverse("knowledge:new"), data), "签章服务启动失败", "V3.2")
    assert "结束旧进程</textarea>" in body


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

    survey = satisfaction.survey_send(project=accepted, actor=org["marketing"], contact="李处长")
    client.force_login(org["marketing"])
    body = _kept(_post(client, "survey_send", [accepted.pk], {"contact": "张主任"}), "张主任")
    assert "已有一份调查等待客户回复" in body
    data = {"overall": "5", "quality": "4", "service": "5", "comment": "电话回访意见"}
    body = _kept(_post(client, "survey_record", [accepted.pk, survey.pk], data), "电话回访意见")
    assert re.search(r'name="quality" value="4"[^>]*checked', body)
    client.logout()
    body = _kept(client.post(satisfaction.survey_link(survey), {**data, "comment": "很好"}), "很好")
    assert "请为每一项打分" in body
