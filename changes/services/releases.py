"""版本发布 (004 §8.2.2-1; 003 发布变更规范). The requester files (reason, problems solved, version,
change notes) → the PM assigns a tester → test result → the PM signs off → the customer consents →
the releaser releases and publishes the change notes → on-line verification and a watch of at least
one hour, or a rollback → the requester confirms. Regular windows are ReleaseWindow rows (Monday
and Thursday: request and freeze before the cut-off, release in the evening; a window on a day off
moves to the next working day). Outside a window is an emergency release, which waits on the
项目总监; so does a release with downtime, which also needs the customer told at least three days
ahead. Nothing is released without one of these records."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from approvals.chains import chain_advance, chain_countersigned, chain_current, chain_step_end
from approvals.errors import DomainError
from approvals.services import next_number, task_close
from pmis.audit.services import audit_record
from pmis.notify.services import notify
from pmis.worktime.calendar import WorkCalendar
from pmis.worktime.display import duration_text
from pmis.worktime.models import SlaPolicy
from projects.models import Project
from projects.services import can_manage

from ..models import Bug, ChangeRequest, Release, ReleaseWindow
from .common import can_file, require_live, require_text, step_for

NOTICE_POLICY = "release-downtime-notice"
WATCH_POLICY = "release-watch"


@dataclass(frozen=True)
class WindowDay:
    day: date  # the day the release happens
    nominal: date  # the Monday / Thursday it stands for
    window: ReleaseWindow

    @property
    def moved(self) -> bool:
        return self.day != self.nominal

    def cutoff(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.day, self.window.request_cutoff))

    def release_from(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.day, self.window.release_from))


# 004 §8.2.2-1: 每周版本发布 2 次，周一、周四上午下班前提交申请并固化发布版本，晚上发布.
DEFAULT_WINDOWS = (
    (ReleaseWindow.Weekday.MON, time(12, 0), time(19, 0)),
    (ReleaseWindow.Weekday.THU, time(12, 0), time(19, 0)),
)


@transaction.atomic
def release_windows_seed() -> int:
    """Create the default windows when none exist; windows an admin has edited or disabled stay."""
    if ReleaseWindow.objects.exists():
        return 0
    ReleaseWindow.objects.bulk_create(
        ReleaseWindow(weekday=day, request_cutoff=cutoff, release_from=start) for day, cutoff, start in DEFAULT_WINDOWS
    )
    return len(DEFAULT_WINDOWS)


def window_days(start: date, end: date) -> list[WindowDay]:
    """The regular release days between two dates, each window on a day off moved to the next
    working day (004: 遇节假日顺延至下一工作日). Two windows moved onto one day are one release day."""
    windows = {w.weekday: w for w in ReleaseWindow.objects.filter(active=True)}
    if not windows:
        return []
    calendar = WorkCalendar()
    days: dict[date, WindowDay] = {}
    nominal = start - timedelta(days=21)  # a window moved across a long holiday
    while nominal <= end:
        window = windows.get(nominal.weekday())
        if window is not None:
            day = nominal
            while not calendar.is_working_day(day):
                day += timedelta(days=1)
            if start <= day <= end:
                days.setdefault(day, WindowDay(day, nominal, window))
        nominal += timedelta(days=1)
    return sorted(days.values(), key=lambda w: w.day)


def window_on(day: date) -> WindowDay | None:
    found = window_days(day, day)
    return found[0] if found else None


def next_windows(after: datetime, count: int = 4) -> list[WindowDay]:
    """The next regular windows one may still file for (before their cut-off)."""
    start = timezone.localdate(after)
    return [w for w in window_days(start, start + timedelta(days=40)) if w.cutoff() >= after][:count]


def emergency_reason(*, planned_at: datetime, requested_at: datetime) -> str:
    """Why a release is outside the regular windows ("" when it is inside one)."""
    local = timezone.localtime(planned_at)
    window = window_on(local.date())
    if window is None:
        return f"{local:%Y-%m-%d} 不是常规发布日（周一、周四，遇节假日顺延至下一工作日）"
    if planned_at < window.release_from():
        return f"常规发布在 {window.window.release_from:%H:%M} 之后（晚上）进行"
    if requested_at > window.cutoff():
        return f"当日发布须在 {window.window.request_cutoff:%H:%M} 前提交申请并固化版本"
    return ""


def _locked(release: Release) -> Release:
    return (
        Release.objects.select_for_update(of=("self",))
        .select_related("project", "project__pm", "requester", "change_request", "bug")
        .get(pk=release.pk)
    )


def release_context(release: Release) -> dict:
    """How a release fills in the steps of its chain (approvals.chains, "release")."""
    return {
        "title": f"{release.number} {release.version}（{release.project.name}）",
        "link": release.get_absolute_url(),
        "applicant": release.requester,
        "region": release.project.region,
    }


def release_assignee(release: Release, step):
    """The PM answers his steps (the regional PMs with none named), the chosen tester the test,
    the releaser who released the watch, the requester the confirmation."""
    return {
        "release.assign": release.project.pm,
        "release.signoff": release.project.pm,
        "release.consent": release.project.pm,
        "release.test": release.tester,
        "release.watch": release.released_by,
        "release.confirm": release.requester,
    }.get(step.code)


def _audit(release, action, label, actor, before, **extra):
    audit_record(
        subject=release, action=action, label=label, actor=actor, from_state=before, to_state=release.state, **extra
    )


def _check_downtime_notice(planned_at: datetime, notified_on: date | None) -> None:
    policy = SlaPolicy.objects.get(code=NOTICE_POLICY)
    ahead = duration_text(policy.duration)
    if notified_on is None:
        raise DomainError(f"停机发布须提前 {ahead} 知会客户，请填写客户知会日期")
    if notified_on > timezone.localdate():
        raise DomainError("客户知会日期不能晚于今天：请先知会客户再提交停机发布申请")
    notice_at = timezone.make_aware(datetime.combine(notified_on, time.min))
    if planned_at - notice_at < policy.duration:
        raise DomainError(
            f"停机发布须至少提前 {ahead} 知会客户：客户于 {notified_on:%Y-%m-%d} 知会，"
            f"计划 {timezone.localtime(planned_at):%Y-%m-%d %H:%M} 发布，提前不足 {ahead}"
        )


@transaction.atomic
def release_request(
    *, project: Project, actor, data: dict, change: ChangeRequest | None = None, bug: Bug | None = None
) -> Release:
    """File a 版本发布申请. Inside a regular window it goes to the PM; outside one (emergency) or with
    downtime it first waits on the 项目总监."""
    project = Project.objects.select_for_update(of=("self",)).select_related("pm", "region").get(pk=project.pk)
    if not can_file(actor, project):
        raise PermissionDenied("只有项目组成员可以提交版本发布申请")
    require_live(project)
    now = timezone.now()
    planned_at = data.get("planned_at")
    if planned_at is None:
        raise DomainError("请填写计划发布时间")
    if planned_at < now:
        raise DomainError("计划发布时间不能早于现在")
    downtime = bool(data.get("downtime"))
    notified_on = data.get("customer_notified_on")
    if downtime:
        _check_downtime_notice(planned_at, notified_on)
    change_step = None
    if change is not None:
        change = ChangeRequest.objects.select_for_update(of=("self",)).get(pk=change.pk)
        if change.project_id != project.pk:
            raise DomainError("需求变更不属于该项目")
        change_step = step_for(change, "change.release_request", actor)
    if bug is not None and bug.project_id != project.pk:
        raise DomainError("BUG 不属于该项目")
    reason = emergency_reason(planned_at=planned_at, requested_at=now)
    release = Release.objects.create(
        number=next_number("FB"),
        project=project,
        change_request=change,
        bug=bug,
        requester=actor,
        version=require_text(data.get("version"), "请填写发布版本"),
        reason=require_text(data.get("reason"), "请填写发布原因"),
        problems_solved=require_text(data.get("problems_solved"), "请填写解决的问题"),
        change_notes=require_text(data.get("change_notes"), "请填写版本变更说明"),
        planned_at=planned_at,
        emergency=bool(reason),
        downtime=downtime,
        customer_notified_on=notified_on if downtime else None,
        state=Release.State.PENDING_DIRECTOR if (reason or downtime) else Release.State.PENDING_ASSIGN,
    )
    why = "；".join(x for x in (f"紧急发布：{reason}" if reason else "", "停机发布" if downtime else "") if x)
    audit_record(
        subject=release, action="release.request", label="提交版本发布申请", actor=actor, to_state=release.state,
        comment=why, details={"emergency": release.emergency, "downtime": downtime},
    )  # fmt: skip
    if change_step is not None:
        task_close(task=change_step, actor=actor, outcome="filed")
        before = change.state
        change.release_requested()
        change.save(update_fields=["state"])
        audit_record(
            subject=change, action="change.release_request", label="提交版本发布申请", actor=actor,
            from_state=before, to_state=change.state, comment=release.number,
        )  # fmt: skip
    chain_advance(release)  # 项目总监审批 for an emergency or downtime release, else 指派测试
    return release


@transaction.atomic
def release_director_decide(*, release: Release, actor, approve: bool, comment: str = "") -> Release:
    release = _locked(release)
    task = step_for(release, "release.director", actor)
    before = release.state
    task_close(task=task, actor=actor, outcome="approve" if approve else "reject")
    if approve and chain_countersigned(release, chain_current(release), actor, comment):
        return release  # 会签 / 加签: the step moves on when everyone it waits on has approved
    if not approve:
        chain_step_end(release, task.step, actor)
    if approve:
        release.director_approve(by=actor, at=timezone.now())
    else:
        release.reject(reason=require_text(comment, "驳回须填写原因"))
    release.save(update_fields=["state", "director_by", "director_at", "reject_reason"])
    _audit(release, "release.director", "项目总监审批", actor, before, comment=comment)
    if approve:
        chain_advance(release)
    else:
        _returned(release)
    return release


@transaction.atomic
def release_assign_tester(*, release: Release, actor, tester) -> Release:
    release = _locked(release)
    task = step_for(release, "release.assign", actor)
    if tester is None or not tester.is_active:
        raise DomainError("请选择测试人员")
    before = release.state
    task_close(task=task, actor=actor, outcome="done")
    release.assign_tester(tester=tester)
    release.save(update_fields=["state", "tester"])
    _audit(release, "release.assign", "指派测试人员", actor, before, details={"tester": tester.pk})
    chain_advance(release)
    return release


@transaction.atomic
def release_test(*, release: Release, actor, passed: bool, result: str) -> Release:
    release = _locked(release)
    task = step_for(release, "release.test", actor)
    before = release.state
    result = require_text(result, "请填写测试结果")
    task_close(task=task, actor=actor, outcome="approve" if passed else "reject")
    if passed:
        release.test_passed(result=result)
    else:
        release.test_result = result
        release.reject(reason=f"测试未通过：{result}")
    release.save(update_fields=["state", "test_result", "reject_reason"])
    _audit(release, "release.test", "测试结果", actor, before, comment=result, details={"passed": passed})
    if passed:
        chain_advance(release)
    else:
        _returned(release)
    return release


@transaction.atomic
def release_sign_off(*, release: Release, actor, approve: bool = True, comment: str = "") -> Release:
    release = _locked(release)
    task = step_for(release, "release.signoff", actor)
    before = release.state
    task_close(task=task, actor=actor, outcome="approve" if approve else "reject")
    if approve and chain_countersigned(release, chain_current(release), actor, comment):
        return release  # 会签 / 加签: the step moves on when everyone it waits on has approved
    if not approve:
        chain_step_end(release, task.step, actor)
    if approve:
        release.sign_off(at=timezone.now())
    else:
        release.reject(reason=require_text(comment, "不同意发布须填写原因"))
    release.save(update_fields=["state", "signed_off_at", "reject_reason"])
    _audit(release, "release.signoff", "项目经理签字", actor, before, comment=comment)
    if approve:
        chain_advance(release)
    else:
        _returned(release)
    return release


@transaction.atomic
def release_consent(*, release: Release, actor, agreed: bool, answer: str) -> Release:
    release = _locked(release)
    task = step_for(release, "release.consent", actor)
    before = release.state
    answer = require_text(answer, "请填写用户方意见")
    task_close(task=task, actor=actor, outcome="accepted" if agreed else "declined")
    if agreed:
        release.consent(answer=answer)
    else:
        release.customer_consent = answer
        release.reject(reason=f"用户方不同意发布：{answer}")
    release.save(update_fields=["state", "customer_consent", "reject_reason"])
    _audit(release, "release.consent", "用户方意见", actor, before, comment=answer, details={"agreed": agreed})
    if agreed:
        chain_advance(release)
    else:
        _returned(release)
    return release


@transaction.atomic
def release_perform(*, release: Release, actor) -> Release:
    """The releaser releases and publishes the change notes; on-line verification and the watch
    are now due."""
    release = _locked(release)
    task = step_for(release, "release.perform", actor)
    before = release.state
    task_close(task=task, actor=actor, outcome="done")
    release.perform(by=actor, at=timezone.now())
    release.save(update_fields=["state", "released_by", "released_at", "notes_published"])
    _audit(release, "release.perform", "发布版本", actor, before, details={"version": release.version})
    notify(
        recipients=[release.project.pm, release.requester],
        title=f"版本已发布：{release.version}（{release.project.name}）",
        body=f"版本变更说明：{release.change_notes}",
        link=release.get_absolute_url(),
        subject=release,
        kind="release_done",
    )
    chain_advance(release)  # the releaser who released keeps the watch
    return release


@transaction.atomic
def release_verify(*, release: Release, actor, result: str) -> Release:
    """现网认证 right after the release (003: 严禁发布变更后不立即做现网认证)."""
    release = _locked(release)
    step_for(release, "release.watch", actor)
    if release.verified_at is not None:
        raise DomainError("现网验证已登记")
    release.verification = require_text(result, "请填写现网验证结果")
    release.verified_at = timezone.now()
    release.save(update_fields=["verification", "verified_at"])
    audit_record(subject=release, action="release.verify", label="现网验证", actor=actor, comment=release.verification)
    return release


def watch_minimum() -> timedelta:
    return SlaPolicy.objects.get(code=WATCH_POLICY).duration


@transaction.atomic
def release_watch_done(*, release: Release, actor, note: str) -> Release:
    """The watch is over: at least the policy's time (one hour) since the release, verified on line."""
    release = _locked(release)
    task = step_for(release, "release.watch", actor)
    if release.verified_at is None:
        raise DomainError("请先登记现网验证结果")
    now, minimum = timezone.now(), watch_minimum()
    if now - release.released_at < minimum:
        left = max(int((minimum - (now - release.released_at)).total_seconds() // 60), 1)
        until = timezone.localtime(release.released_at + minimum)
        raise DomainError(f"发布后须留守观察至少 {duration_text(minimum)}，还需 {left} 分钟（{until:%H:%M} 后可结束）")
    before = release.state
    task_close(task=task, actor=actor, outcome="finish")
    release.watch_done(until=now, note=require_text(note, "请填写留守观察记录"))
    release.save(update_fields=["state", "watch_until", "watch_note"])
    _audit(release, "release.watch", "结束留守观察", actor, before)
    chain_advance(release)
    return release


@transaction.atomic
def release_rollback(*, release: Release, actor, note: str) -> Release:
    """A problem found on line: roll back and record it (003: 发现问题立即回滚)."""
    release = _locked(release)
    task = step_for(release, "release.watch", actor)
    before = release.state
    task_close(task=task, actor=actor, outcome="return")
    release.roll_back(at=timezone.now(), note=require_text(note, "请填写发现的问题与回滚情况"))
    release.save(update_fields=["state", "rollback_at", "rollback_note"])
    _audit(release, "release.rollback", "回滚", actor, before, comment=release.rollback_note)
    notify(
        recipients=[release.project.pm, release.requester],
        title=f"版本已回滚：{release.version}（{release.project.name}）",
        body=release.rollback_note,
        link=release.get_absolute_url(),
        subject=release,
        kind="release_rolled_back",
    )
    _returned(release)
    return release


@transaction.atomic
def release_confirm(*, release: Release, actor) -> Release:
    release = _locked(release)
    task = step_for(release, "release.confirm", actor)
    before = release.state
    task_close(task=task, actor=actor, outcome="confirmed")
    release.confirm(at=timezone.now())
    release.save(update_fields=["state", "confirmed_at"])
    _audit(release, "release.confirm", "申请人确认", actor, before)
    change = release.change_request
    if change is not None and change.state == ChangeRequest.State.RELEASING:
        change = ChangeRequest.objects.select_for_update(of=("self",)).get(pk=change.pk)
        change_before = change.state
        change.finish(at=timezone.now())
        change.save(update_fields=["state", "closed_at"])
        audit_record(
            subject=change, action="change.done", label="版本已发布确认，需求变更完成", actor=actor,
            from_state=change_before, to_state=change.state, comment=release.number,
        )  # fmt: skip
    return release


def _returned(release: Release) -> None:
    """A release that did not go out sends its change request back to the 需求组长."""
    notify(
        recipients=[release.requester],
        title=f"版本发布未完成：{release.version}（{release.get_state_display()}）",
        body=release.reject_reason or release.rollback_note,
        link=release.get_absolute_url(),
        subject=release,
        kind="release_returned",
    )
    change = release.change_request
    if change is None or change.state != ChangeRequest.State.RELEASING:
        return
    change = ChangeRequest.objects.select_for_update(of=("self",)).get(pk=change.pk)
    before = change.state
    change.release_failed()
    change.save(update_fields=["state"])
    audit_record(
        subject=change, action="change.release_failed", label="版本发布未完成，退回实施", actor=None,
        from_state=before, to_state=change.state, comment=release.number,
    )  # fmt: skip
    chain_advance(change, label_suffix="（发布未完成）")


def can_request_for(user, project: Project) -> bool:
    return can_file(user, project) or can_manage(user, project)
