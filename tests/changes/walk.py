"""Every step of the three flows, driven once (the routing test checks each waits on someone)."""

from datetime import date, timedelta

from django.utils import timezone

from changes import services
from pmis.catalog.models import Product
from projects.services import product_request_receive

from .conftest import BUG, CHANGE, RELEASE


def walk_change_steps(org, project) -> None:
    pm, lead, quality, releaser = org["regional_pm"], org["requirement_lead"], org["quality"], org["releaser"]
    cr = services.change_request_submit(project=project, actor=org["implementer"], data=CHANGE)
    cr = services.change_request_review(change=cr, actor=pm, approved=True, answer="同意")
    cr = services.change_request_evaluate(
        change=cr, actor=pm, impact="小", person_days=2, size="large", needs_meeting=True,
        planned_date=timezone.localdate() + timedelta(days=10),
    )  # fmt: skip
    cr = services.change_request_discuss(change=cr, actor=pm, minutes="纪要")
    cr = services.change_request_work_done(change=cr, actor=lead, design_note="完成")
    cr = services.change_request_verify(change=cr, actor=quality, passed=False, note="未通过")
    cr = services.change_request_work_done(change=cr, actor=lead, design_note="完成")
    cr = services.change_request_verify(change=cr, actor=quality, passed=True, note="通过")
    # an emergency release of the change, rolled back; then a downtime release
    soon = timezone.now() + timedelta(hours=1)
    release = services.release_request(project=project, actor=lead, data={**RELEASE, "planned_at": soon}, change=cr)
    if release.state == "pending_director":
        release = services.release_director_decide(release=release, actor=org["project_director"], approve=True)
    release = services.release_assign_tester(release=release, actor=pm, tester=quality)
    release = services.release_test(release=release, actor=quality, passed=True, result="通过")
    release = services.release_sign_off(release=release, actor=pm)
    release = services.release_consent(release=release, actor=pm, agreed=True, answer="同意")
    release = services.release_perform(release=release, actor=releaser)
    services.release_rollback(release=release, actor=releaser, note="回滚")
    later = timezone.now() + timedelta(days=5)
    services.release_request(
        project=project, actor=org["implementer"],
        data={**RELEASE, "planned_at": later, "downtime": True, "customer_notified_on": date.today()},
    )  # fmt: skip
    # a product defect through 产品管理部 and 研发, and a project bug to its check
    bug = services.bug_file(project=project, actor=org["implementer"], data=BUG)
    bug = services.bug_confirm(bug=bug, actor=pm, decision="product")
    bug = services.bug_product_verify(bug=bug, actor=org["product_dept"], is_product=True, note="确认")
    bug = services.bug_rd_fix(bug=bug, actor=org["rd_expert"], version="V2", note="修复")
    bug = services.bug_product_review(bug=bug, actor=org["product_dept"], passed=False, note="不通过")
    bug = services.bug_rd_fix(bug=bug, actor=org["rd_expert"], version="V3", note="修复")
    bug = services.bug_product_review(
        bug=bug, actor=org["product_dept"], passed=True, note="通过", download_path="/dl",
        product=Product.objects.filter(kind=Product.Kind.PRODUCT).first(),
    )  # fmt: skip
    product_request_receive(request=bug.product_request, actor=org["implementer"])
    bug = services.bug_feedback(bug=bug, actor=pm, feedback="正常")
    services.bug_check(bug=bug, actor=pm, passed=False, note="仍有问题")
