from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from pmis.org.models import Region
from projects import team
from projects.models import Project
from projects.models import State as ProjectState

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def live(org):
    return make_live_project(org)


def make_live_project(org) -> Project:
    """A local project in maintenance, PM 郑北辰 (regional_pm), implementer 钱实 on the team."""
    project = Project.objects.create(
        code="PJ2026-0101",
        name="某某市医院电子签章项目",
        kind=Project.Kind.LOCAL,
        customer_name="某某市医院",
        region=Region.objects.get(code="north"),
        pm=org["regional_pm"],
        state=ProjectState.MAINTENANCE,
    )
    team.grant_user(project, org["regional_pm"], "manage_project")
    team.grant_user(project, org["implementer"], "implement_project")
    team.grant_groups(project)
    return project
