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
from pmis.notify.models import Notification
from pmis.worktime.services import calendar_fill

from .conftest import BUG, at

pytestmark = pytest.mark.django_db


def test_confirmation_is_due_in_two_working_days_and_a_late_one_is_escalated_and_flagged(org, live, time_machine):
    time_machine.move_to(at(2026, 12, 10, 14, 0), tick=False)  # Thursday
    bug = services.bug_file(project=live, actor=org["implementer"], data=BUG)
    task = open_tasks_for(bug).get()
    assert task.step == "bug.confirm" and task.assignee == org["regional_pm"]
    assert timezone.localtime(bug.confirm_due_at) == at(2026, 12, 14, 14, 0)  # Monday 14:00
    time_machine.move_to(at(2026, 12, 14, 15, 0), tick=False)
    assert tasks_sweep()["escalated"] == 1 and tasks_sweep()["escalated"] == 0
    assert Notification.objects.filter(kind="sla_escalation", recipient=org["project_director"]).count() == 1
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
        services.bug_product_review(bug=bug, actor=product, passed=True, note="通过")
    bug = services.bug_product_review(bug=bug, actor=product, passed=True, note="通过", download_path="/dl/v3.2.3")
    assert bug.state == Bug.State.AWAITING_FEEDBACK and bug.download_path == "/dl/v3.2.3"
    assert Notification.objects.filter(recipient=pm, kind="bug_version_issued", title__contains="V3.2.3").exists()


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
