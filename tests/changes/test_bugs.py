from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from approvals.errors import DomainError
from approvals.selectors import open_tasks_for
from approvals.services import tasks_sweep
from changes import services
from changes.models import Bug
from changes.services.bugs import bugs_of_month
from pmis.audit.models import AuditEntry
from pmis.catalog.models import Product
from pmis.notify.models import Notification
from pmis.worktime.services import calendar_fill
from projects.models import ProductRequest
from projects.services import product_request_create, product_request_receive

from .conftest import BUG, at

pytestmark = pytest.mark.django_db


def test_confirmation_is_due_in_two_working_days_and_a_late_one_is_escalated_and_flagged(org, live, time_machine):
    time_machine.move_to(at(2026, 12, 10, 14, 0), tick=False)  # Thursday
    bug = services.bug_file(project=live, actor=org["implementer"], data=BUG)
    task = open_tasks_for(bug).get()
    assert task.step == "bug.confirm" and task.assignee == org["regional_pm"]
    assert timezone.localtime(bug.confirm_due_at) == at(2026, 12, 14, 14, 0)  # Monday 14:00
    time_machine.move_to(at(2026, 12, 14, 15, 0), tick=False)
    tasks_sweep()  # the project's other late work (its satisfaction survey) escalates with it
    task.refresh_from_db()
    assert task.escalated_at is not None and tasks_sweep()["escalated"] == 0
    told = Notification.objects.get(kind="sla_escalation", recipient=org["project_director"])
    assert bug.number in f"{told.title}{told.body}"
    with pytest.raises(DomainError, match="未能按时确认的原因"):
        services.bug_confirm(bug=bug, actor=org["regional_pm"], decision="fix")
    bug = services.bug_confirm(bug=bug, actor=org["regional_pm"], decision="fix", note="等待厂商日志，已告知用户")
    assert bug.state == Bug.State.FIXING and bug.confirmed_late
    entry = AuditEntry.objects.get(object_id=bug.pk, action="bug.confirm")
    assert entry.details["late"] is True


def test_a_project_bug_fixed_then_checked_within_two_working_days(org, live, time_machine):
    time_machine.move_to(at(2026, 12, 7, 10, 0), tick=False)
    pm = org["regional_pm"]
    bug = services.bug_file(project=live, actor=org["implementer"], data=BUG)
    bug = services.bug_confirm(bug=bug, actor=pm, decision="fix")
    assert not bug.confirmed_late
    bug = services.bug_project_fix(bug=bug, actor=pm, note="调整超时参数", version="V3.2.1")
    bug = services.bug_feedback(bug=bug, actor=pm, feedback="用户反馈已正常")
    assert timezone.localtime(bug.check_due_at) == at(2026, 12, 9, 10, 0)
    bug = services.bug_check(bug=bug, actor=pm, passed=True, note="核查通过")
    assert bug.state == Bug.State.CLOSED and not open_tasks_for(bug).exists()


def test_a_product_defect_goes_through_product_dept_and_rd(org, live):
    pm, product, rd = org["regional_pm"], org["product_dept"], org["rd_expert"]
    bug = services.bug_file(project=live, actor=pm, data={**BUG, "product_version": "签章服务 V3.2"})
    bug = services.bug_confirm(bug=bug, actor=pm, decision="product")
    assert bug.state == Bug.State.PRODUCT_VERIFY and open_tasks_for(bug).get().group.name == "product_dept"
    with pytest.raises(PermissionDenied):
        services.bug_product_verify(bug=bug, actor=rd, is_product=True, note="x")
    bug = services.bug_product_verify(bug=bug, actor=product, is_product=True, note="可复现")
    bug = services.bug_rd_fix(bug=bug, actor=rd, version="V3.2.2", note="修复队列")
    assert bug.state == Bug.State.PRODUCT_REVIEW
    # 研发的版本修订必须经产品管理部测试评审后才对外发放
    bug = services.bug_product_review(bug=bug, actor=product, passed=False, note="回归失败")
    assert bug.state == Bug.State.RD_FIXING
    bug = services.bug_rd_fix(bug=bug, actor=rd, version="V3.2.3", note="再修复")
    with pytest.raises(DomainError, match="下载路径"):
        services.bug_product_review(bug=bug, actor=product, passed=True, note="通过", product=PRODUCT())
    with pytest.raises(DomainError, match="选择发放的产品"):
        services.bug_product_review(bug=bug, actor=product, passed=True, note="通过", download_path="/dl/v3.2.3")
    bug = services.bug_product_review(
        bug=bug, actor=product, passed=True, note="通过", download_path="/dl/v3.2.3", product=PRODUCT()
    )
    assert bug.state == Bug.State.RELEASED and bug.download_path == "/dl/v3.2.3"
    assert Notification.objects.filter(recipient=pm, kind="bug_version_issued", title__contains="V3.2.3").exists()


def test_a_released_fix_reaches_the_project_on_a_product_request_the_implementer_receives(org, live, client):
    """000 §3.4–3.5: the reviewed version leaves 产品管理部 on a 产品领取单 with its download path;
    the implementer confirms receipt as for any product, and only then is the customer's feedback asked."""
    pm, product, implementer = org["regional_pm"], org["product_dept"], org["implementer"]
    bug = _reviewed_fix(org, live, filed_by=implementer)
    request = bug.product_request
    assert request.state == ProductRequest.State.ISSUED and request.project == live
    assert request.requester == implementer
    item = request.items.get()
    assert (item.product, item.version, item.download_path) == (PRODUCT(), "V3.2.2", "/dl/v3.2.2")
    assert bug.number in request.note
    # nothing waits on the regional PM or 商务: the implementer's receipt is the one open step
    receipt = open_tasks_for(request).get()
    assert receipt.step == "product_request.receive" and receipt.assignee == implementer
    assert not open_tasks_for(bug).exists()
    assert Notification.objects.filter(recipient=implementer, kind="product_request", object_id=request.pk).exists()
    # the implementer sees the version and path on the request's page, with the BUG it fixes
    client.force_login(implementer)
    page = client.get(request.get_absolute_url()).content.decode()
    assert "/dl/v3.2.2" in page and bug.number in page
    with pytest.raises(PermissionDenied):
        product_request_receive(request=request, actor=product)
    product_request_receive(request=request, actor=implementer)
    bug.refresh_from_db()
    assert bug.state == Bug.State.AWAITING_FEEDBACK
    feedback = open_tasks_for(bug).get()
    assert feedback.step == "bug.feedback" and feedback.assignee == pm
    assert AuditEntry.objects.filter(object_id=bug.pk, action="bug.fix_received").count() == 1
    bug = services.bug_feedback(bug=bug, actor=pm, feedback="用户反馈已正常")
    assert bug.state == Bug.State.CHECKING


def test_a_fix_filed_by_someone_off_the_team_goes_to_the_projects_implementer(org, live):
    bug = _reviewed_fix(org, live, filed_by=org["regional_pm"])
    assert bug.product_request.requester == org["implementer"]


def test_only_product_dept_releases_a_fix_on_a_product_request(org, live):
    with pytest.raises(PermissionDenied, match="产品管理部"):
        product_request_create(
            project=live,
            actor=org["implementer"],
            items=[{"product": PRODUCT(), "version": "V9", "download_path": "/dl/v9"}],
            fix_release_to=org["implementer"],
        )
    with pytest.raises(DomainError, match="下载路径"):
        product_request_create(
            project=live,
            actor=org["product_dept"],
            items=[{"product": PRODUCT(), "version": "V9"}],
            fix_release_to=org["implementer"],
        )
    assert not ProductRequest.objects.filter(project=live).exists()


def PRODUCT():
    return Product.objects.filter(kind=Product.Kind.PRODUCT).order_by("id").first()


def _reviewed_fix(org, live, *, filed_by):
    pm, product, rd = org["regional_pm"], org["product_dept"], org["rd_expert"]
    bug = services.bug_file(project=live, actor=filed_by, data=BUG)
    bug = services.bug_confirm(bug=bug, actor=pm, decision="product")
    bug = services.bug_product_verify(bug=bug, actor=product, is_product=True, note="可复现")
    bug = services.bug_rd_fix(bug=bug, actor=rd, version="V3.2.2", note="修复队列")
    return services.bug_product_review(
        bug=bug, actor=product, passed=True, note="回归通过", download_path="/dl/v3.2.2", product=PRODUCT()
    )


def test_wont_fix_needs_the_reason_told_to_the_customer(org, live):
    bug = services.bug_file(project=live, actor=org["implementer"], data=BUG)
    with pytest.raises(DomainError, match="原因"):
        services.bug_confirm(bug=bug, actor=org["regional_pm"], decision="wont_fix")
    bug = services.bug_confirm(bug=bug, actor=org["regional_pm"], decision="wont_fix", note="属于使用方式问题")
    assert bug.state == Bug.State.WONT_FIX


def test_the_monthly_list_goes_to_the_pm_in_the_first_working_days_once(org, live, time_machine):
    calendar_fill(years=[2026])
    time_machine.move_to(at(2026, 9, 15, 10, 0), tick=False)
    services.bug_file(project=live, actor=org["implementer"], data=BUG)
    services.bug_file(project=live, actor=org["implementer"], data={**BUG, "title": "第二个"})
    assert [b.title for b in bugs_of_month(user=org["regional_pm"], month=date(2026, 9, 1))] == [BUG["title"], "第二个"]
    assert not bugs_of_month(user=org["sales2"], month=date(2026, 9, 1)).exists()
    time_machine.move_to(at(2026, 10, 1, 10, 0), tick=False)  # 国庆: the first week is all holidays
    assert services.monthly_bug_lists() == 0
    time_machine.move_to(at(2026, 10, 8, 10, 0), tick=False)  # the first working day after it
    assert services.monthly_bug_lists() == 1
    assert services.monthly_bug_lists() == 0
    time_machine.move_to(at(2026, 10, 9, 10, 0), tick=False)
    assert services.monthly_bug_lists() == 0
    time_machine.move_to(at(2026, 10, 12, 10, 0), tick=False)
    assert services.monthly_bug_lists() == 0
    note = Notification.objects.get(kind="bug_monthly_list")
    assert note.recipient == org["regional_pm"] and "2 个" in note.title and "month=2026-09" in note.link


def test_a_month_is_counted_in_beijing_time_at_both_ends(org, live, time_machine):
    """Just after midnight on the 1st (still the previous day in UTC) belongs to the new month;
    just before midnight at its end too, and the next minute does not."""
    for when, title in (
        (at(2026, 8, 31, 23, 59), "八月底"),
        (at(2026, 9, 1, 0, 1), "九月初"),
        (at(2026, 9, 30, 23, 59), "九月底"),
        (at(2026, 10, 1, 0, 1), "十月初"),
    ):
        time_machine.move_to(when, tick=False)
        services.bug_file(project=live, actor=org["implementer"], data={**BUG, "title": title})
    september = bugs_of_month(user=org["regional_pm"], month=date(2026, 9, 1))
    assert [b.title for b in september] == ["九月初", "九月底"]
    director = bugs_of_month(user=org["project_director"], month=date(2026, 9, 1))  # sees every project
    assert [b.title for b in director] == ["九月初", "九月底"]
    assert not bugs_of_month(user=org["sales2"], month=date(2026, 9, 1)).exists()
