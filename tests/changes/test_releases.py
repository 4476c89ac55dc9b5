from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from approvals.errors import AlreadyDecided, DomainError
from approvals.selectors import open_tasks_for
from changes import services
from changes.models import ChangeRequest, Release
from changes.services.releases import emergency_reason, release_windows_seed, window_days
from pmis.audit.models import AuditEntry
from pmis.worktime.services import calendar_fill

from .conftest import CHANGE, RELEASE, at

pytestmark = pytest.mark.django_db


def test_national_day_2026_windows_move_to_the_next_working_day(db):
    release_windows_seed()
    calendar_fill(years=[2026])
    days = window_days(date(2026, 9, 28), date(2026, 10, 15))
    assert [(w.day, w.nominal) for w in days] == [
        (date(2026, 9, 28), date(2026, 9, 28)),  # Monday
        (date(2026, 10, 8), date(2026, 10, 1)),  # Thursday 1 Oct (国庆) and Monday 5 Oct move to Thursday 8 Oct
        (date(2026, 10, 12), date(2026, 10, 12)),
        (date(2026, 10, 15), date(2026, 10, 15)),
    ]
    assert days[1].moved
    # filed on the morning of 8 Oct for that evening: a regular release; on 1 Oct it would be an emergency
    assert emergency_reason(planned_at=at(2026, 10, 8, 20, 0), requested_at=at(2026, 10, 8, 11, 0)) == ""
    assert "不是常规发布日" in emergency_reason(planned_at=at(2026, 10, 1, 20, 0), requested_at=at(2026, 9, 30, 9, 0))
    assert "12:00 前提交申请" in emergency_reason(
        planned_at=at(2026, 10, 8, 20, 0), requested_at=at(2026, 10, 8, 13, 0)
    )
    assert "晚上" in emergency_reason(planned_at=at(2026, 10, 8, 15, 0), requested_at=at(2026, 10, 8, 9, 0))


def _file(org, live, **extra):
    return services.release_request(project=live, actor=org["implementer"], data={**RELEASE, **extra})


def test_a_release_outside_a_window_waits_on_the_director(org, live, time_machine):
    time_machine.move_to(at(2026, 12, 8, 10, 0), tick=False)  # Tuesday
    release = _file(org, live, planned_at=at(2026, 12, 8, 21, 0))
    assert release.emergency and release.state == Release.State.PENDING_DIRECTOR
    task = open_tasks_for(release).get()
    assert task.group.name == "project_director"
    with pytest.raises(PermissionDenied):  # the PM cannot stand in for the director
        services.release_director_decide(release=release, actor=org["regional_pm"], approve=True)
    with pytest.raises(AlreadyDecided):  # nor skip the approval to the test
        services.release_assign_tester(release=release, actor=org["regional_pm"], tester=org["quality"])
    release = services.release_director_decide(release=release, actor=org["project_director"], approve=True)
    assert release.state == Release.State.PENDING_ASSIGN and release.director_by == org["project_director"]


def test_a_release_in_a_window_goes_straight_to_the_pm(org, live, time_machine):
    time_machine.move_to(at(2026, 12, 10, 11, 0), tick=False)  # Thursday before noon
    release = _file(org, live, planned_at=at(2026, 12, 10, 20, 0))
    assert not release.emergency and release.state == Release.State.PENDING_ASSIGN
    assert open_tasks_for(release).get().assignee == org["regional_pm"]


def test_a_downtime_release_needs_three_days_notice_and_the_director(org, live, time_machine):
    time_machine.move_to(at(2026, 12, 10, 11, 0), tick=False)
    with pytest.raises(DomainError, match="知会客户"):
        _file(org, live, planned_at=at(2026, 12, 10, 20, 0), downtime=True)
    with pytest.raises(DomainError, match="提前不足 3 天"):
        _file(org, live, planned_at=at(2026, 12, 10, 20, 0), downtime=True, customer_notified_on=date(2026, 12, 8))
    assert not Release.objects.exists()
    release = _file(
        org, live, planned_at=at(2026, 12, 10, 20, 0), downtime=True, customer_notified_on=date(2026, 12, 7)
    )
    assert release.downtime and not release.emergency and release.state == Release.State.PENDING_DIRECTOR


def _to_released(org, release):
    pm = org["regional_pm"]
    release = services.release_assign_tester(release=release, actor=pm, tester=org["quality"])
    release = services.release_test(release=release, actor=org["quality"], passed=True, result="回归通过")
    release = services.release_sign_off(release=release, actor=pm)
    release = services.release_consent(release=release, actor=pm, agreed=True, answer="信息中心同意晚间发布")
    assert open_tasks_for(release).get().group.name == "releaser"
    return services.release_perform(release=release, actor=org["releaser"])


def test_a_change_request_released_watched_and_confirmed(org, live, time_machine):
    time_machine.move_to(at(2026, 12, 7, 9, 0), tick=False)  # Monday
    pm, lead = org["regional_pm"], org["requirement_lead"]
    cr = services.change_request_submit(project=live, actor=pm, data=CHANGE)
    cr = services.change_request_review(change=cr, actor=pm, approved=True, answer="同意")
    cr = services.change_request_evaluate(
        change=cr, actor=pm, impact="小", person_days=1, size="small", needs_meeting=False,
        planned_date=date(2026, 12, 10),
    )  # fmt: skip
    cr = services.change_request_work_done(change=cr, actor=lead, design_note="完成")
    cr = services.change_request_verify(change=cr, actor=org["quality"], passed=True, note="通过")
    with pytest.raises(PermissionDenied):  # only the 需求组长 files the release of his change
        services.release_request(
            project=live, actor=pm, data={**RELEASE, "planned_at": at(2026, 12, 7, 20, 0)}, change=cr
        )
    release = services.release_request(
        project=live, actor=lead, data={**RELEASE, "planned_at": at(2026, 12, 7, 20, 0)}, change=cr
    )
    cr.refresh_from_db()
    assert cr.state == ChangeRequest.State.RELEASING and not release.emergency
    release = _to_released(org, release)
    assert release.state == Release.State.RELEASED and release.notes_published
    releaser = org["releaser"]
    with pytest.raises(DomainError, match="现网验证"):
        services.release_watch_done(release=release, actor=releaser, note="平稳")
    release = services.release_verify(release=release, actor=releaser, result="登录、签章正常")
    time_machine.shift(timedelta(minutes=59))
    with pytest.raises(DomainError, match="至少 1 小时"):
        services.release_watch_done(release=release, actor=releaser, note="平稳")
    time_machine.shift(timedelta(minutes=1))
    release = services.release_watch_done(release=release, actor=releaser, note="平稳")
    assert release.state == Release.State.PENDING_CONFIRM
    assert release.watch_until - release.released_at >= timedelta(hours=1)
    release = services.release_confirm(release=release, actor=lead)
    cr.refresh_from_db()
    assert release.state == Release.State.CONFIRMED and cr.state == ChangeRequest.State.DONE
    actions = list(
        AuditEntry.objects.filter(object_id=release.pk, content_type__model="release").values_list("action", flat=True)
    )
    assert actions == [
        "release.request", "release.assign", "release.test", "release.signoff", "release.consent",
        "release.perform", "release.verify", "release.watch", "release.confirm",
    ]  # fmt: skip


def test_a_problem_after_release_is_rolled_back_and_the_change_goes_back_to_work(org, live, time_machine):
    time_machine.move_to(at(2026, 12, 7, 9, 0), tick=False)
    pm, lead = org["regional_pm"], org["requirement_lead"]
    cr = services.change_request_submit(project=live, actor=pm, data=CHANGE)
    cr = services.change_request_review(change=cr, actor=pm, approved=True, answer="同意")
    cr = services.change_request_evaluate(
        change=cr,
        actor=pm,
        impact="小",
        person_days=1,
        size="small",
        needs_meeting=False,
        planned_date=date(2026, 12, 10),
    )
    cr = services.change_request_work_done(change=cr, actor=lead, design_note="完成")
    cr = services.change_request_verify(change=cr, actor=org["quality"], passed=True, note="通过")
    release = services.release_request(
        project=live, actor=lead, data={**RELEASE, "planned_at": at(2026, 12, 7, 20, 0)}, change=cr
    )
    release = _to_released(org, release)
    release = services.release_rollback(release=release, actor=org["releaser"], note="签章接口 502，已回滚到 V3.2.0")
    cr.refresh_from_db()
    assert release.state == Release.State.ROLLED_BACK and release.rollback_at is not None
    assert cr.state == ChangeRequest.State.IN_WORK and open_tasks_for(cr).get().assignee == lead


def test_no_release_step_without_its_request(org, live, time_machine):
    """发布 can only be recorded on a filed request that reached its turn."""
    time_machine.move_to(at(2026, 12, 10, 11, 0), tick=False)
    release = _file(org, live, planned_at=at(2026, 12, 10, 20, 0))
    with pytest.raises(AlreadyDecided):
        services.release_perform(release=release, actor=org["releaser"])
    with pytest.raises(DomainError, match="不能早于现在"):
        _file(org, live, planned_at=at(2026, 12, 9, 20, 0))


def test_the_windows_are_admin_data(db):
    from changes.models import ReleaseWindow

    release_windows_seed()
    ReleaseWindow.objects.filter(weekday=ReleaseWindow.Weekday.MON).update(active=False)
    assert release_windows_seed() == 0  # an edited set of windows stays as the admin left it
    days = window_days(date(2026, 11, 30), date(2026, 12, 6))  # Monday to Sunday
    assert [w.day for w in days] == [date(2026, 12, 3)]  # only Thursday
    ReleaseWindow.objects.filter(weekday=ReleaseWindow.Weekday.THU).update(request_cutoff="10:00")
    assert "10:00 前提交申请" in emergency_reason(
        planned_at=at(2026, 12, 3, 20, 0), requested_at=at(2026, 12, 3, 11, 0)
    )
