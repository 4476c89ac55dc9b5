"""项目总监's cards: pipeline, stuck at a gate, weekly-report coverage, handovers."""

from datetime import date, timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from aftersales.models import Handover
from dashboards.selectors import delivery
from pmis.org.models import Region
from pmis.worktime.models import SlaPolicy
from projects.models import Project, State

pytestmark = pytest.mark.django_db


def _series(chart):
    return {s.name: s.values for s in chart.series}


def test_pipeline_counts_projects_in_delivery_by_phase_and_region(org, build):
    for _ in range(2):
        build.project(State.REQUIREMENTS)
    build.project(State.IMPLEMENTING)
    build.project(State.SUSPENDED)
    build.project(State.REQUIREMENTS, region="south")
    build.project(State.HANDOVER, region="south")
    build.project(State.MAINTENANCE, region="south")
    build.project(State.CLOSED)
    build.project(State.TERMINATED)

    card = delivery.pipeline(org["project_director"])

    labels = card["chart"].categories
    assert labels == ["已立项", "需求确认", "实施中", "试运行", "已上线", "验收", "移交中", "已暂停"]
    series = _series(card["chart"])
    assert series["北方"] == [0, 2, 1, 0, 0, 0, 0, 1]
    assert series["南方"] == [0, 1, 0, 0, 0, 0, 1, 0]
    assert card["in_delivery"] == 6 and card["maintenance"] == 1
    # each bar opens the project list filtered to that phase and region
    north = Region.objects.get(code="north")
    link = card["chart"].series[0].links[1]
    assert urlparse(link).path == "/projects/all/"
    assert parse_qs(urlparse(link).query) == {"state": ["requirements"], "region": [str(north.pk)]}


def test_projects_stuck_at_a_gate_are_those_past_the_policy_in_a_gated_phase(org, build, now):
    # the policy: 10 working days. 2026-11-25 15:00 minus 10 working days is 2026-11-11 15:00.
    long_ago = now - timedelta(days=30)
    stuck_requirements = build.project(State.REQUIREMENTS, entered=long_ago)
    build.project(State.REQUIREMENTS, entered=now - timedelta(days=3))  # recent
    build.project(State.IMPLEMENTING, entered=long_ago)  # no gate counted while implementing
    stuck_acceptance = build.project(State.ACCEPTANCE, entered=now - timedelta(days=20))
    build.project(State.TRIAL_RUN, entered=now - timedelta(days=13))  # 9 working days: not yet
    # moved back into trial run yesterday, though it first entered it long ago: not stuck
    back = build.project(State.TRIAL_RUN, entered=long_ago)
    build.moved(back, State.TRIAL_RUN, now - timedelta(days=1))

    card = delivery.stuck_at_gates(org["project_director"])

    assert card["total"] == 2
    assert _series(card["chart"])["项目数"] == [1, 0, 1]
    assert [p.pk for p in card["projects"]] == [stuck_requirements.pk, stuck_acceptance.pk]
    assert card["projects"][0].days_in_phase == 30
    assert card["policy_span"] == "10 个工作日"

    # the limit is data: shorten it to 2 working days and the recent ones count too
    SlaPolicy.objects.filter(code="project-gate-stuck").update(duration_minutes=2 * 9 * 60)
    assert delivery.stuck_at_gates(org["project_director"])["total"] == 4


def test_weekly_coverage_counts_projects_in_delivery_with_a_pm(org, build):
    this_week, last_week = date(2026, 11, 23), date(2026, 11, 16)
    reported = [build.project(State.IMPLEMENTING) for _ in range(3)]
    missing = build.project(State.TRIAL_RUN)
    no_pm = build.project(State.IMPLEMENTING, pm=False)  # not expected to report
    done = build.project(State.MAINTENANCE)  # out of delivery
    for project in reported:
        build.report(project, this_week)
    build.report(no_pm, this_week)
    build.report(done, this_week)
    build.report(missing, last_week)

    card = delivery.weekly_coverage(org["project_director"], weeks=3)

    assert card["total"] == 4 and card["filed"] == 3 and card["missing"] == 1
    assert card["rate"] == 75.0
    assert card["chart"].categories == ["11-09 周", "11-16 周", "11-23 周"]
    assert _series(card["chart"])["覆盖率"] == [0.0, 25.0, 75.0]
    assert card["missing_link"] == "/projects/weekly/missing/"


def test_handovers_waiting_by_step_and_this_months_results(org, build, now):
    local = build.project(State.HANDOVER)
    saas = build.project(State.HANDOVER, kind=Project.Kind.SAAS)
    cs = Handover.Route.CUSTOMER_SUCCESS
    oldest = build.handover(local, Handover.State.PENDING_AUDIT, submitted=now - timedelta(days=6))
    build.handover(saas, Handover.State.PENDING_CS_HEAD, route=cs, submitted=now - timedelta(days=1))
    build.handover(saas, Handover.State.PENDING_AUDIT, route=cs)
    build.handover(local, Handover.State.ACCEPTED, decided=now - timedelta(days=2))
    build.handover(local, Handover.State.ACCEPTED, decided=now - timedelta(days=40))  # last month
    build.handover(local, Handover.State.RETURNED, decided=now - timedelta(days=3))

    card = delivery.handovers(org["project_director"])

    assert _series(card["chart"])["移交数"] == [1, 1, 1, 1, 1]
    assert card["waiting_total"] == 3 and card["oldest_days"] == 6
    assert card["waiting"][0].pk == oldest.pk
    assert card["in_handover_link"] == "/projects/all/?state=handover"
