"""Demo work after go-live on the bank project in maintenance: a change request in each of the
需求组长's and 质量人员's hands, a release waiting on the 版本发布人员, a product defect with 研发 and
one new change waiting for the customer's first review (the PM)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from pmis.org.models import User
from projects.models import Project

from . import services
from .models import ChangeRequest
from .services.releases import next_windows, release_windows_seed


def _evaluated(project, pm, title: str) -> ChangeRequest:
    cr = services.change_request_submit(
        project=project, actor=pm,
        data={"kind": "new", "title": title, "description": f"{title}（信息科技部提出）", "proposer": "周科长"},
    )  # fmt: skip
    cr = services.change_request_review(change=cr, actor=pm, approved=True, answer="信息科技部同意实施")
    return services.change_request_evaluate(
        change=cr, actor=pm, impact="仅涉及签章审批模块", person_days=2, size="small", needs_meeting=False,
        planned_date=timezone.localdate() + timedelta(days=14),
    )  # fmt: skip


@transaction.atomic
def demo_changes_seed() -> int:
    project = Project.objects.filter(code="PJ2024-0031").select_related("pm").first()
    release_windows_seed()
    if project is None or project.pm is None or ChangeRequest.objects.exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=[
        "requirement_lead", "quality", "releaser", "aftersales", "product_dept", "rd_expert", "project_director",
    ])}  # fmt: skip
    if len(users) < 7:
        return 0
    pm, lead = project.pm, users["requirement_lead"]
    services.change_request_submit(
        project=project, actor=users["aftersales"],
        data={"kind": "change", "title": "印章使用审批增加分管行领导会签",
              "description": "超过 50 万元的合同用印增加会签", "proposer": "周科长"},
    )  # fmt: skip
    _evaluated(project, pm, "柜面签章增加批量验签")  # waits on the 需求组长
    to_verify = _evaluated(project, pm, "签章日志导出增加网点字段")
    services.change_request_work_done(change=to_verify, actor=lead, design_note="日志导出增加网点编码与名称两列")
    released = _evaluated(project, pm, "电子合同到期提醒")
    released = services.change_request_work_done(change=released, actor=lead, design_note="到期前 30 天短信提醒")
    released = services.change_request_verify(change=released, actor=users["quality"], passed=True, note="测试通过")
    windows = next_windows(timezone.now())
    planned = windows[0].release_from() if windows else timezone.now() + timedelta(hours=2)
    release = services.release_request(
        project=project, actor=lead, change=released,
        data={"version": "V3.6.2", "planned_at": planned, "reason": "电子合同到期提醒",
              "problems_solved": "合同到期无人提醒", "change_notes": "新增合同到期前 30 天短信提醒"},
    )  # fmt: skip
    if release.state == "pending_director":
        release = services.release_director_decide(release=release, actor=users["project_director"], approve=True)
    release = services.release_assign_tester(release=release, actor=pm, tester=users["quality"])
    release = services.release_test(release=release, actor=users["quality"], passed=True, result="回归测试通过")
    release = services.release_sign_off(release=release, actor=pm)
    services.release_consent(release=release, actor=pm, agreed=True, answer="信息科技部同意周四晚间发布")
    bug = services.bug_file(
        project=project, actor=users["aftersales"],
        data={"title": "批量签章超过 200 份时偶发超时", "description": "签章服务日志显示队列阻塞",
              "origin": "product", "product_version": "电子印章认证 V3.6"},
    )  # fmt: skip
    bug = services.bug_confirm(bug=bug, actor=pm, decision="product")
    services.bug_product_verify(bug=bug, actor=users["product_dept"], is_product=True, note="实验室可复现")
    services.bug_file(
        project=project, actor=users["aftersales"],
        data={"title": "网点名称显示不全", "description": "超过 16 个字被截断", "origin": "project"},
    )  # fmt: skip
    return 5
