"""Hand-built data for the dashboards: projects in given phases and regions, entered at given
times, handovers, tickets and weekly reports, made straight in the database so that each figure
can be checked against numbers worked out by hand."""

from datetime import datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache

from aftersales.models import Handover, Ticket
from aftersales.services.rollup import rollup_apply
from pmis.audit.services import audit_record
from pmis.org.models import Region
from pmis.worktime.models import SlaPolicy
from projects.models import Project, WeeklyReport

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=SH)  # a Wednesday


@pytest.fixture(autouse=True)
def fresh_cache():
    """Past months' SLA figures are cached: each test starts from its own data."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def build(org, now):
    numbers = count(1)

    class Build:
        def project(self, state, *, region="north", kind=Project.Kind.LOCAL, pm=True, customer=None, entered=None):
            """A project in `state`; `entered` (a datetime) is when it moved into that phase."""
            n = next(numbers)
            made_at = entered or now
            with time_machine.travel(made_at, tick=False):
                project = Project.objects.create(
                    code=f"T{n:04d}",
                    name=f"测试项目{n}",
                    kind=kind,
                    customer_name=customer or f"客户{n}",
                    region=Region.objects.get(code=region),
                    pm=org["regional_pm"] if pm else None,
                    state=state,
                )
                if entered is not None:
                    audit_record(subject=project, action="project.move", label="推进", to_state=state)
            return project

        def moved(self, project, state, at):
            """An audited move of `project` into `state` at `at` (the row itself keeps its state)."""
            with time_machine.travel(at, tick=False):
                audit_record(subject=project, action="project.move", label="推进", to_state=state)

        def handover(self, project, state, *, route=Handover.Route.SYSTEM_SERVICE, submitted=None, decided=None):
            with time_machine.travel(submitted or now, tick=False):
                handover = Handover.objects.create(
                    project=project, route=route, state=state, submitted_by=org["regional_pm"]
                )
            if decided is not None:
                Handover.objects.filter(pk=handover.pk).update(decided_at=decided, decided_by=org["cs_head"])
            return handover

        def report(self, project, week_start):
            return WeeklyReport.objects.create(
                project=project, week_start=week_start, author=org["regional_pm"], last_week="上周", this_week="本周"
            )

        def ticket(self, project, *, reported, severity="ticket-medium", resolved=None, met=None, assignee=None):
            n = next(numbers)
            state = Ticket.State.RESOLVED if resolved else Ticket.State.ASSIGNED
            ticket = Ticket.objects.create(
                number=f"TT{n:05d}",
                project=project,
                subject=f"问题{n}",
                reporting_unit="某单位",
                reporter="张工",
                reported_at=reported,
                description="描述",
                channel=Ticket.Channel.PHONE,
                severity=SlaPolicy.objects.get(code=severity) if severity else None,
                state=state,
                assignee=assignee,
                created_by=org["aftersales"],
                first_assigned_at=reported + timedelta(hours=1),
                resolved_at=resolved,
                sla_met=met,
            )
            rollup_apply(None, ticket)  # written past the services: counted in the SLA roll-up as they would
            return ticket

    return Build()
