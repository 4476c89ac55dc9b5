from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from approvals.errors import DomainError
from planning.gantt import critical_ids, critical_path, gantt_svg
from planning.models import PlanItem
from planning.plan import plan_baseline_set, plan_item_add, plan_item_update, plan_items, plan_late_notify
from pmis.audit.models import AuditEntry
from pmis.notify.models import Notification
from pmis.worktime.models import CalendarDay
from tests.planning.conftest import MON

pytestmark = pytest.mark.django_db


def d(offset: int) -> date:
    return MON + timedelta(days=offset)


def add(project, pm, name, start, end, preds=(), **extra):
    return plan_item_add(project=project, actor=pm, name=name, planned_start=start, planned_end=end,
                         predecessors=list(preds), **extra)  # fmt: skip


def test_moving_a_predecessor_shifts_its_dependants_on_the_working_calendar(project, pm):
    CalendarDay.objects.create(date=d(14), kind=CalendarDay.Kind.HOLIDAY, name="假日")  # Monday of week 3
    a = add(project, pm, "安装调试", d(0), d(4))  # Mon–Fri
    b = add(project, pm, "联调", d(7), d(9), [a])  # Mon–Wed, 3 working days
    c = add(project, pm, "培训", d(10), d(11), [b])  # Thu–Fri
    other = add(project, pm, "无关任务", d(7), d(8))

    a, moved = plan_item_update(item=a, actor=pm, planned_end=d(8))  # two working days later (Tue)

    b.refresh_from_db(), c.refresh_from_db(), other.refresh_from_db()
    assert {m.pk for m in moved} == {b.pk, c.pk}
    assert (b.planned_start, b.planned_end) == (d(9), d(11))  # Wed–Fri, still 3 working days
    # Thu/Fri + 2 working days skips the weekend and the Monday holiday
    assert (c.planned_start, c.planned_end) == (d(15), d(16))
    assert (other.planned_start, other.planned_end) == (d(7), d(8))
    entry = AuditEntry.objects.filter(action="plan.item_update").get()
    assert "后续 2 项顺延" in entry.action_label


def test_moving_a_predecessor_earlier_pulls_its_dependants_in(project, pm):
    a = add(project, pm, "A", d(0), d(4))
    b = add(project, pm, "B", d(7), d(8), [a])
    plan_item_update(item=a, actor=pm, planned_end=d(2))
    b.refresh_from_db()
    assert (b.planned_start, b.planned_end) == (d(3), d(4))


def test_a_cycle_is_refused_in_chinese(project, pm):
    a = add(project, pm, "A", d(0), d(1))
    b = add(project, pm, "B", d(2), d(3), [a])
    c = add(project, pm, "C", d(4), d(7), [b])
    with pytest.raises(DomainError, match="循环依赖"):
        plan_item_update(item=a, actor=pm, predecessors=[c])
    with pytest.raises(DomainError, match="不能是它自己"):
        plan_item_update(item=a, actor=pm, predecessors=[a])
    assert list(a.predecessors.all()) == []


def test_a_dependant_may_not_start_before_its_predecessor_ends(project, pm):
    a = add(project, pm, "A", d(0), d(4))
    with pytest.raises(DomainError, match="最早可为 2027-03-08"):
        add(project, pm, "B", d(4), d(8), [a])


def test_the_critical_path_of_a_hand_built_plan(project, pm):
    a = add(project, pm, "A", d(0), d(4))  # 5 days
    b = add(project, pm, "B", d(7), d(9), [a])  # 3 days
    c = add(project, pm, "C", d(7), d(8), [a])  # 2 days: one day of slack
    e = add(project, pm, "E", d(0), d(1))  # alone, ends early
    f = add(project, pm, "D", d(10), d(11), [b, c])
    items = plan_items(project)
    schedule = critical_path(items)
    assert critical_ids(items) == {a.pk, b.pk, f.pk}
    assert schedule[c.pk].slack == 1 and schedule[e.pk].slack == 8  # 10 working days in all, 2 of them its own
    svg = str(gantt_svg(items, today=d(3)))
    assert f'class="gantt-bar critical" data-item="{b.pk}"' in svg
    assert f'class="gantt-bar" data-item="{c.pk}"' in svg
    assert svg.count('class="gantt-link"') == 4 and 'class="gantt-today"' in svg
    assert svg.count('class="gantt-off"') >= 2  # the weekend


def test_a_late_item_is_flagged_once_to_the_pm_and_the_director(project, pm, org):
    today = timezone.localdate()
    late = add(project, pm, "上线", today - timedelta(days=20), today - timedelta(days=3))
    add(project, pm, "已完成", today - timedelta(days=20), today - timedelta(days=10),
        actual_end=today - timedelta(days=10), status=PlanItem.Status.DONE)  # fmt: skip

    assert plan_late_notify() >= 2
    assert plan_late_notify() == 0  # the next sweep tells nobody again
    notes = Notification.objects.filter(kind="plan_late")
    recipients = set(notes.values_list("recipient__username", flat=True))
    assert {"regional_pm", "project_director"} <= recipients
    assert all("「上线」" in n.title for n in notes)
    assert notes.filter(recipient=pm).count() == 1
    assert 'class="gantt-bar late' in str(gantt_svg(plan_items(project))).replace("critical ", "")

    plan_item_update(item=late, actor=pm, planned_end=today - timedelta(days=1))  # re-planned, missed again
    assert notes.filter(recipient=pm).count() == 1
    plan_late_notify()
    assert notes.filter(recipient=pm).count() == 2


def test_baseline_and_rebaseline_are_audited(project, pm):
    a = add(project, pm, "A", d(0), d(4))
    plan_baseline_set(project=project, actor=pm)
    plan_item_update(item=a, actor=pm, planned_end=d(7))
    a.refresh_from_db()
    assert (a.baseline_start, a.baseline_end, a.planned_end) == (d(0), d(4), d(7))
    with pytest.raises(DomainError, match="须填写原因"):
        plan_baseline_set(project=project, actor=pm)
    plan_baseline_set(project=project, actor=pm, reason="客户推迟环境交付")
    a.refresh_from_db()
    assert a.baseline_end == d(7)
    entry = AuditEntry.objects.get(action="plan.rebaseline")
    assert entry.comment == "客户推迟环境交付"
    assert 'class="gantt-baseline"' in str(gantt_svg(plan_items(project)))


def test_only_the_team_changes_the_plan(project, pm, org):
    with pytest.raises(PermissionDenied):
        add(project, org["sales"], "A", d(0), d(1))
    assert add(project, org["implementer"], "A", d(0), d(1)).seq == 1
