"""Each role's working day on the demo data (seed_demo), at 1440 px and at 390 px: sign in, open
工作台, open the first item of 我的待办, do the role's real action on the page it links to, and see
the item leave the inbox. Screenshots go to test-artifacts/working-day/<role>-<width>.png (the
page after the action), <role>-<width>-item.png (the item before it) and <role>-<width>-inbox.png
(the inbox after it)."""

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from approvals.models import Task
from approvals.selectors import inbox_for
from pmis.org.demo import DEMO_USERS
from pmis.org.models import User
from tests.browser.pickers import pick
from tests.conftest import PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "working-day"
NOTHING_WAITS: set[str] = set()  # every demo role has something waiting (platform_ops: a cloud deployment)


def _decide_registration(page, approve_business=False):
    decision = page.locator("#decision")
    if approve_business:
        for box in decision.locator(".checklist input[type=checkbox]").all()[:4]:
            box.check()
    decision.get_by_label("通过").check()
    decision.get_by_label("审批意见（退回、驳回必填）").fill("同意")
    decision.get_by_role("button", name="提交审批结果").click()


def _pick_first(page, scope):
    """Choose the first person a picker offers (click in the empty box lists the choices)."""
    box = scope.locator(".picker-input").first
    box.click()
    scope.locator(".picker-list [role=option]").first.click()


def _upload(page, doc_type: str, name: str, content: bytes = PDF, scope=None):
    scope = scope or page
    form = scope.locator("form[action*='/documents/']").filter(has=page.locator("input[type=file]")).first
    form.locator("select[name=doc_type]").select_option(label=doc_type)
    form.locator("input[type=file]").set_input_files({"name": name, "mimeType": "application/pdf", "buffer": content})
    form.get_by_role("button", name="上传").click()
    page.wait_for_load_state("load")


def _work_ticket(page):
    actions = page.locator("#ticket-actions")
    start = actions.get_by_role("button", name="开始处理")
    if start.count():
        start.click()
        page.wait_for_load_state("load")
    actions.get_by_label("解决方案").fill("已远程排查，重新配置证书链后恢复")
    actions.get_by_role("button", name="已解决").click()


def _issue_licence(page):
    _upload(page, "产品授权文件", "授权.lic", content=b"\x8a\x01LIC\x00", scope=page.locator("#licences"))
    for path in page.locator("#issue-form input[name^=path_]").all():
        path.fill("/downloads/standard/v5")
    page.locator("#issue-form").get_by_role("button", name="发放").click()


def _delivery_task(page, task: Task):
    row = page.locator(f"#task-{task.object_id}")
    upload = row.locator("form[action*='/documents/']")
    upload.locator("input[type=file]").set_input_files(
        {"name": "验证报告.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    upload.get_by_role("button", name="上传交付物").click()
    page.wait_for_load_state("load")
    row = page.locator(f"#task-{task.object_id}")
    for label in ("接受", "开始"):
        button = row.get_by_role("button", name=label, exact=True)
        if button.count():
            button.first.click()
            page.wait_for_load_state("load")
            row = page.locator(f"#task-{task.object_id}")
    row.locator("input[name=result]").fill("测试环境验证通过")
    row.get_by_role("button", name="完成", exact=True).click()


def _initiate(page):
    page.get_by_role("link", name="立项", exact=True).click()
    page.get_by_label("可行性评估").fill("标准产品满足主要场景")
    page.get_by_label("合同与实施风险评估").fill("工期可控")
    page.get_by_label("项目规模").select_option(index=1)
    page.get_by_role("button", name="确认立项").click()


def _estimate(page, task: Task):
    form = page.locator(f"form[action*='/customisations/{task.object_id}/estimate/']")
    form.locator("input[name=person_days]").fill("5")
    pick(page, f"form[action*='/customisations/{task.object_id}/estimate/'] [data-picker-input]", "何研发")
    form.locator("input[name=note]").fill("报表引擎扩展")
    form.get_by_role("button", name="提交评估").click()


def _rd_confirm(page):
    decision = page.locator("#decision")
    decision.get_by_label("技术实现方案（确认必填）").fill("在档案系统侧调用开放接口归档，签章服务提供回调")
    decision.get_by_role("button", name="确认方案与工作量").click()


def _dispatch(page):
    card = page.locator("#support-card")
    _pick_first(page, card)
    card.get_by_role("button", name="派单至区域项目经理").click()


def _handover_cs_head(page):
    page.locator("#decision").get_by_role("button", name="提交").click()


def _handover_audit(page):
    form = page.locator("#audit-form")
    for verdict in form.locator("select[name^=verdict_]").all():
        verdict.select_option(index=1)  # 合格
    form.get_by_label("审核意见").fill("材料齐全，接收")
    form.get_by_role("button", name="提交审核结果").click()


def _triage(page):
    page.locator("#triage-form select").select_option(index=1)
    page.locator("#triage-form").get_by_role("button", name="确定级别").click()


def _resubmit(page):
    page.get_by_role("button", name="提交审批").click()


def _record_inspection(page):
    form = page.locator("#inspection-form")
    for result in form.locator("select[name^=ok_]").all():
        result.select_option(label="正常")
    form.get_by_label("巡检结论").fill("各项检查正常")
    form.get_by_role("button", name="提交巡检记录").click()


def _decide_deployment(page):
    form = page.locator("#decide-form")
    form.get_by_label("审批结果").select_option(label="同意")
    form.get_by_label("意见 / 驳回原因").fill("同意按申请部署")
    form.get_by_role("button", name="提交").click()


def _execute_deployment(page):
    form = page.locator("#execute-form")
    today = timezone.localdate().isoformat()
    form.get_by_label("服务器").fill("cloud-01 10.1.2.3")
    form.get_by_label("部署版本").fill("云签章 V5.2")
    form.get_by_label("开始日期").fill(today)
    form.get_by_label("完成日期").fill(today)
    form.get_by_role("button", name="登记完成").click()


def _open_cloud_order(page):
    form = page.locator("#open-form")
    form.locator("textarea[name=opened_note]").fill("已开通云签章企业账号 1 个")
    form.get_by_role("button", name="登记开通").click()


def _finish_service_request(page):
    actions = page.locator("#request-actions")
    start = actions.get_by_role("button", name="受理", exact=True)
    if start.count():
        start.click()
        page.wait_for_load_state("load")
    form = page.locator("#finish-form")
    form.get_by_label("办理结果").fill("已按申请办理完毕")
    form.get_by_role("button", name="办结").click()


def _review_incident_report(page):
    form = page.locator("#review-form")
    form.locator("select[name=decision]").select_option("approve")
    form.locator("button[type=submit]").click()


def _change_action(page, action, fields, choose=None):
    """A 需求变更 / 版本发布 page: each action is a form in #action-<action>, its fields prefixed."""
    form = page.locator(f"#action-{action} form")
    for name, value in (choose or {}).items():
        form.locator(f"input[name='{action}-{name}'][value='{value}']").check()
    for name, value in fields.items():
        form.locator(f"[name='{action}-{name}']").fill(value)
    form.locator("button[type=submit]").click()


def _decide_trial_rejection(page):
    form = page.locator("#trial-decide-form")
    form.locator("textarea[name=decision]").fill("延长试运行一个月，项目组驻场整改")
    form.locator("input[name=title_1]").fill("整改试运行中客户提出的问题")
    _pick_first(page, form)  # 任务 1 负责人
    form.locator("input[name=due_1]").fill((timezone.localdate() + timedelta(days=14)).isoformat())
    form.get_by_role("button", name="作出决定并下达任务").click()


def _act(page, task: Task):
    """The real action of each kind of step, on the page its inbox item opens."""
    step = task.step
    if step == "registration.resubmit":
        _resubmit(page)
    elif step in ("registration.sales_manager", "registration.special"):
        _decide_registration(page)
    elif step == "registration.business":
        _decide_registration(page, approve_business=True)
    elif step == "registration.initiate":
        _initiate(page)
    elif step == "registration.presales_solution":
        _upload(page, "售前解决方案", "售前解决方案.pdf", scope=page.locator("#attachments"))
    elif step == "customisation.estimate":
        _estimate(page, task)
    elif step == "customisation.rd":
        _rd_confirm(page)
    elif step in ("ticket.sla",):
        _work_ticket(page)
    elif step == "ticket.triage":
        _triage(page)
    elif step == "ticket.local_support":
        _dispatch(page)
    elif step == "product_request.product":
        _issue_licence(page)
    elif step == "product_request.pm":
        page.locator("#decision").get_by_role("button", name="审核通过").click()
    elif step == "delivery.work":
        _delivery_task(page, task)
    elif step in ("handover.audit", "handover.cs_audit"):
        _handover_audit(page)
    elif step == "handover.cs_head":
        _handover_cs_head(page)
    elif step == "inspection.record":
        _record_inspection(page)
    elif step in ("deployment.special", "deployment.manager"):
        _decide_deployment(page)
    elif step == "deployment.execute":
        _execute_deployment(page)
    elif step == "cloud_order.open":
        _open_cloud_order(page)
    elif step == "service_request.work":
        _finish_service_request(page)
    elif step == "incident.review":
        _review_incident_report(page)
    elif step == "change.work":
        _change_action(page, "work", {"design_note": "柜面签章页增加批量验签入口"})
    elif step == "change.verify":
        _change_action(page, "verify", {"note": "导出字段与网点一致"}, {"passed": "yes"})
    elif step == "release.perform":
        page.locator("#action-perform button[type=submit]").click()
    elif step == "acceptance.cm":
        page.locator("#acceptance-decide-form button.primary").click()
    elif step == "review.trial_rejection":
        _decide_trial_rejection(page)
    elif step == "satisfaction.send":  # 市场部 sends the survey the approved acceptance report asked for
        form = page.locator("#survey-send-form")
        form.locator("[name=contact]").fill("信息中心张主任")
        form.get_by_role("button", name="发出调查").click()
    else:
        raise AssertionError(f"没有为环节 {step} 准备的操作")
    page.wait_for_load_state("load")


def _inbox_total(page, live_server) -> int:
    page.goto(f"{live_server.url}/approvals/inbox/")
    return int(page.locator("[data-total]").get_attribute("data-total"))


@pytest.mark.parametrize("width", [1440, 390])
def test_each_roles_working_day(browser, live_server, org, demo_password, width):
    call_command("seed_demo", quiet_accounts=True, stdout=StringIO())
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    done = []
    try:
        for spec in DEMO_USERS:
            role = spec.username
            user = User.objects.get(username=role)
            context.clear_cookies()
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("#id_username", role)
            page.fill("#id_password", demo_password)
            page.click("button[type=submit]")
            page.wait_for_selector(".user-name")
            assert "工作台" in page.title() or page.locator("h1").count(), role  # 工作台 is the home page
            waiting = list(inbox_for(user).order_by("due_at", "id"))
            before = _inbox_total(page, live_server)
            assert before == len(waiting), role
            if role in NOTHING_WAITS:
                assert before == 0 and "没有等待您处理的事项" in page.content(), role
                page.screenshot(path=str(SHOTS / f"{role}-{width}.png"), full_page=True)
                continue
            first = waiting[0]
            page.locator("#inbox tbody tr").first.locator("a").first.click()
            page.wait_for_load_state("load")
            assert page.url.split("#")[0].endswith(first.link.split("#")[0]), (role, page.url, first.link)
            page.screenshot(path=str(SHOTS / f"{role}-{width}-item.png"), full_page=True)
            _act(page, first)
            page.screenshot(path=str(SHOTS / f"{role}-{width}.png"), full_page=True)
            first.refresh_from_db()
            assert first.state != Task.State.OPEN, (role, first.step, page.locator(".messages").all_inner_texts())
            _inbox_total(page, live_server)
            rows = [r.inner_text() for r in page.locator("#inbox tbody tr").all()]
            assert not [r for r in rows if first.title in r and first.step_label in r], (role, rows)
            page.screenshot(path=str(SHOTS / f"{role}-{width}-inbox.png"), full_page=True)
            done.append((role, first.step))
    finally:
        context.close()
    assert len(done) == len(DEMO_USERS) - len(NOTHING_WAITS)
