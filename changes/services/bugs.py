"""BUG 修复 (004 §8.2.2-2; 000 §3.4–3.5). Anyone on the team files; the PM confirms within two
working days whether it will be fixed (a late confirmation is escalated to the 项目总监 and flagged,
and the customer must be told why); a product defect goes to 产品管理部 to verify, to 研发 to fix,
and back to 产品管理部 to test and review the version, which is then released to the project with
its download path (as 产品管理部 issues products on a 产品领取单); after the customer's feedback the
fix is checked within two working days. Each month's list goes to the PM in the first week."""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from approvals.errors import DomainError
from approvals.services import next_number, task_close, task_open
from pmis.audit.services import audit_record
from pmis.catalog.models import Product
from pmis.notify.services import notify, notify_once
from pmis.worktime.calendar import WorkCalendar
from projects.models import ProductRequest, Project
from projects.selectors import of_visible_projects
from projects.services import product_request_create
from projects.team import users_with_role

from ..models import Bug
from .common import can_file, require_live, require_text, step_for

CONFIRM_POLICY = "bug-confirm"
CHECK_POLICY = "bug-check"
MONTHLY_JOB = "bug_monthly_list"
FIRST_WEEK_DAYS = 7


def _locked(bug: Bug) -> Bug:
    return Bug.objects.select_for_update(of=("self",)).select_related("project", "project__pm").get(pk=bug.pk)


def _open(bug: Bug, step: str, label: str, **route):
    title = f"{bug.number} {bug.title}（{bug.project.name}）"
    return task_open(subject=bug, step=step, step_label=label, title=title, link=bug.get_absolute_url(), **route)


def _pm(project: Project) -> dict:
    return {"assignee": project.pm} if project.pm_id else {"group": "regional_pm", "region": project.region}


def _audit(bug, action, label, actor, before, **extra):
    audit_record(subject=bug, action=action, label=label, actor=actor, from_state=before, to_state=bug.state, **extra)


@transaction.atomic
def bug_file(*, project: Project, actor, data: dict, ticket=None) -> Bug:
    project = Project.objects.select_for_update(of=("self",)).select_related("pm", "region").get(pk=project.pk)
    if not can_file(actor, project):
        raise PermissionDenied("只有项目组成员可以提交 BUG")
    require_live(project)
    if ticket is not None and ticket.project_id != project.pk:
        raise DomainError("来源问题不属于该项目")
    origin = data.get("origin") or Bug.Origin.PROJECT
    if origin not in Bug.Origin.values:
        raise DomainError("请选择缺陷类型")
    bug = Bug.objects.create(
        number=next_number("BG"),
        project=project,
        ticket=ticket,
        title=require_text(data.get("title"), "请填写问题主题"),
        description=require_text(data.get("description"), "请填写问题说明"),
        origin=origin,
        product_version=(data.get("product_version") or "").strip(),
        filed_by=actor,
    )
    task = _open(
        bug, "bug.confirm", "确认是否修复", **_pm(project), policy=CONFIRM_POLICY, escalate_to="project_director"
    )
    bug.confirm_due_at = task.due_at
    bug.save(update_fields=["confirm_due_at"])
    audit_record(subject=bug, action="bug.file", label="提交 BUG", actor=actor, to_state=bug.state)
    return bug


@transaction.atomic
def bug_confirm(*, bug: Bug, actor, decision: str, note: str = "") -> Bug:
    """fix (the team fixes), product (a product defect, to 产品管理部) or wont_fix (the customer is
    told why). A confirmation after the due time must say why, for the customer."""
    bug = _locked(bug)
    task = step_for(bug, "bug.confirm", actor)
    now, before = timezone.now(), bug.state
    note = (note or "").strip()
    late = bool(bug.confirm_due_at and now > bug.confirm_due_at)
    if decision == "wont_fix" and not note:
        raise DomainError("不予修复须填写告知用户方的原因")
    if late and not note:
        raise DomainError("已超过 2 个工作日的确认时限，须填写未能按时确认的原因（反馈用户方）")
    task_close(task=task, actor=actor, outcome={"wont_fix": "declined"}.get(decision, "confirmed"))
    if decision == "fix":
        bug.confirm_fix(at=now, note=note)
    elif decision == "product":
        bug.origin = Bug.Origin.PRODUCT
        bug.confirm_product(at=now, note=note)
    elif decision == "wont_fix":
        bug.confirm_wont_fix(at=now, note=note)
    else:
        raise DomainError("请选择确认结果")
    bug.save(update_fields=["state", "confirmed_at", "confirm_note", "origin"])
    _audit(bug, "bug.confirm", "确认是否修复", actor, before, comment=note, details={"late": late})
    if decision == "fix":
        _open(bug, "bug.fix", "项目组修复 BUG", **_pm(bug.project), policy=None)
    elif decision == "product":
        _open(bug, "bug.product_verify", "产品管理部核实产品缺陷", group="product_dept")
    return bug


@transaction.atomic
def bug_product_verify(*, bug: Bug, actor, is_product: bool, note: str) -> Bug:
    bug = _locked(bug)
    task = step_for(bug, "bug.product_verify", actor)
    before = bug.state
    note = require_text(note, "请填写核实结论")
    task_close(task=task, actor=actor, outcome="confirmed" if is_product else "return")
    if is_product:
        bug.product_verified()
    else:
        bug.not_a_product_defect()
    bug.review_note = note
    bug.save(update_fields=["state", "origin", "review_note"])
    _audit(bug, "bug.product_verify", "产品管理部核实", actor, before, comment=note)
    if is_product:
        _open(bug, "bug.rd_fix", "研发修复产品缺陷", group="rd_expert", policy=None)
    else:
        _open(bug, "bug.fix", "项目组修复 BUG", **_pm(bug.project), policy=None)
    return bug


@transaction.atomic
def bug_rd_fix(*, bug: Bug, actor, version: str, note: str) -> Bug:
    bug = _locked(bug)
    task = step_for(bug, "bug.rd_fix", actor)
    before = bug.state
    task_close(task=task, actor=actor, outcome="finish")
    bug.rd_fixed(version=require_text(version, "请填写修复版本号"), note=require_text(note, "请填写修复说明"))
    bug.save(update_fields=["state", "fixed_version", "fix_note"])
    _audit(bug, "bug.rd_fix", "研发修复", actor, before, details={"version": bug.fixed_version})
    # 研发所有的版本修订，必须提交产品管理部测试和评审后，再对外项目发放
    _open(bug, "bug.product_review", "产品管理部测试与评审版本", group="product_dept")
    return bug


def _fix_receiver(bug: Bug):
    """Who receives a released fix version on the project: the filer when an implementer of it,
    else the project's first implementer, else the PM (as the request's receipt step falls back)."""
    project = bug.project
    if bug.filed_by.has_perm("projects.implement_project", project):
        return bug.filed_by
    implementers = users_with_role(project, "implement_project")
    return implementers[0] if implementers else (project.pm or bug.filed_by)


@transaction.atomic
def bug_product_review(
    *, bug: Bug, actor, passed: bool, note: str, download_path: str = "", product: Product | None = None
) -> Bug:
    """Passed, the fixed version is released to the project on a 产品领取单 of its own (000 §3.5:
    products leave with their download path on one), issued at once for the implementer to confirm
    receipt; the customer's feedback is asked for once it is received (bugs_fix_received)."""
    bug = _locked(bug)
    task = step_for(bug, "bug.product_review", actor)
    before, now = bug.state, timezone.now()
    note = require_text(note, "请填写测试与评审意见")
    if passed:
        path = require_text(download_path, "评审通过须填写发放给项目的下载路径")
        if product is None:
            raise DomainError("评审通过须选择发放的产品")
    task_close(task=task, actor=actor, outcome="issued" if passed else "return")
    if passed:
        request = product_request_create(
            project=bug.project,
            actor=actor,
            items=[{"product": product, "version": bug.fixed_version, "download_path": path}],
            note=f"{bug.number} {bug.title} 的修复版本 {bug.fixed_version}。测试与评审意见：{note}",
            fix_release_to=_fix_receiver(bug),
        )
        bug.version_released(at=now, path=path, note=note, request=request)
    else:
        bug.review_failed(note=note)
    bug.save(update_fields=["state", "download_path", "review_note", "fixed_at", "product_request"])
    details = {"passed": passed, **({"product_request": bug.product_request.number} if passed else {})}
    _audit(bug, "bug.product_review", "产品管理部测试评审", actor, before, comment=note, details=details)
    if passed:
        notify(
            recipients=[bug.project.pm, bug.filed_by],
            title=f"修复版本已发放到项目：{bug.fixed_version} · {bug.title}",
            body=f"产品管理部已测试评审通过，产品领取单 {bug.product_request.number}，下载路径：{bug.download_path}",
            link=bug.get_absolute_url(),
            subject=bug,
            kind="bug_version_issued",
        )
    else:
        _open(bug, "bug.rd_fix", "研发修复产品缺陷（评审未通过）", group="rd_expert", policy=None)
    return bug


def bugs_fix_received(*, request: ProductRequest, actor) -> list[Bug]:
    """The project confirmed receipt of the 产品领取单 a fix version was released on: the PM now
    registers the customer's feedback on the fix. Called inside product_request_receive's
    transaction; a request that carries no fix changes nothing."""
    bugs = list(
        Bug.objects.select_for_update(of=("self",))
        .select_related("project", "project__pm")
        .filter(product_request=request, state=Bug.State.RELEASED)
    )
    for bug in bugs:
        bug.version_received()
        bug.save(update_fields=["state"])
        _audit(bug, "bug.fix_received", "项目确认领取修复版本", actor, Bug.State.RELEASED)
        _open(bug, "bug.feedback", "登记用户方反馈", **_pm(bug.project), policy=None)
    return bugs


@transaction.atomic
def bug_project_fix(*, bug: Bug, actor, note: str, version: str = "") -> Bug:
    bug = _locked(bug)
    task = step_for(bug, "bug.fix", actor)
    before = bug.state
    task_close(task=task, actor=actor, outcome="finish")
    bug.project_fixed(at=timezone.now(), note=require_text(note, "请填写修复说明"), version=(version or "").strip())
    bug.save(update_fields=["state", "fixed_at", "fix_note", "fixed_version"])
    _audit(bug, "bug.fix", "项目组修复", actor, before)
    _open(bug, "bug.feedback", "登记用户方反馈", **_pm(bug.project), policy=None)
    return bug


@transaction.atomic
def bug_feedback(*, bug: Bug, actor, feedback: str) -> Bug:
    """The customer's feedback on the fix; the check is due two working days later."""
    bug = _locked(bug)
    task = step_for(bug, "bug.feedback", actor)
    before = bug.state
    task_close(task=task, actor=actor, outcome="done")
    bug.feedback_received(at=timezone.now(), feedback=require_text(feedback, "请填写用户方反馈"))
    check = _open(
        bug, "bug.check", "核查 BUG 修复", **_pm(bug.project), policy=CHECK_POLICY, escalate_to="project_director"
    )
    bug.check_due_at = check.due_at
    bug.save(update_fields=["state", "feedback_at", "feedback", "check_due_at"])
    _audit(bug, "bug.feedback", "登记用户方反馈", actor, before)
    return bug


@transaction.atomic
def bug_check(*, bug: Bug, actor, passed: bool, note: str) -> Bug:
    bug = _locked(bug)
    task = step_for(bug, "bug.check", actor)
    before, now = bug.state, timezone.now()
    note = require_text(note, "请填写核查结论")
    task_close(task=task, actor=actor, outcome="closed" if passed else "return")
    if passed:
        bug.check_pass(at=now, note=note)
    else:
        bug.check_fail(at=now, note=note)
    bug.save(update_fields=["state", "checked_at", "check_note"])
    _audit(bug, "bug.check", "核查修复", actor, before, comment=note, details={"late": now > bug.check_due_at})
    if not passed:
        _open(bug, "bug.fix", "项目组修复 BUG（核查未通过）", **_pm(bug.project), policy=None)
    return bug


# ---------------------------------------------------------------------------------------------
# The monthly list (每月第一周提交上月清单)


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following


def month_span(month: date) -> tuple[datetime, datetime]:
    """The month as aware datetimes in the current time zone: compared as a range, a timestamp
    column's index serves the filter, where casting each row to a local date would read them all."""
    first, following = month_bounds(month)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(first, time.min), tz),
        timezone.make_aware(datetime.combine(following, time.min), tz),
    )


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def bugs_of_month(*, user, month: date, project: Project | None = None) -> QuerySet[Bug]:
    """The BUGs filed in a month on projects the user may see."""
    start, end = month_span(month)
    bugs = Bug.objects.filter(filed_at__gte=start, filed_at__lt=end).select_related("project", "filed_by")
    bugs = of_visible_projects(bugs, user)  # who sees every project needs no join with all of them
    if project is not None:
        bugs = bugs.filter(project=project)
    return bugs.order_by("project__code", "filed_at", "id")


def in_first_week(today: date) -> bool:
    """A working day in the month's first week; when that week is all holidays (国庆), the first
    working day after it."""
    calendar = WorkCalendar()
    if not calendar.is_working_day(today):
        return False
    first = today.replace(day=1)
    while not calendar.is_working_day(first):
        first += timedelta(days=1)
    return today <= max(first, today.replace(day=FIRST_WEEK_DAYS))


def monthly_bug_lists(*, today: date | None = None) -> int:
    """In the first week of the month (in_first_week), send each PM last month's BUG list of
    each project with BUGs. Once per project and month, whatever the number of runs."""
    today = today or timezone.localdate()
    if not in_first_week(today):
        return 0
    month = previous_month(today)
    start, end = month_span(month)
    projects = (
        Project.objects.filter(bugs__filed_at__gte=start, bugs__filed_at__lt=end, pm__isnull=False)
        .distinct()
        .select_related("pm")
    )
    sent = 0
    with transaction.atomic():
        for project in projects:
            count = project.bugs.filter(filed_at__gte=start, filed_at__lt=end).count()
            link = f"{reverse('changes:bug_month')}?month={month:%Y-%m}&q={project.code}"
            sent += len(
                notify_once(
                    job=MONTHLY_JOB,
                    period=f"{month:%Y-%m}",
                    recipients=[project.pm],
                    subject=project,
                    title=f"{month:%Y 年 %m 月} BUG 清单：{project.name}（{count} 个）",
                    body="上月 BUG 修复记录清单已生成，可在页面查看或导出 Excel。",
                    link=link,
                    kind="bug_monthly_list",
                )
            )
    return sent
