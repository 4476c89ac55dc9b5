from unittest.mock import patch

import pytest
from django.db import connection
from django.utils import timezone

from delivery.models import Survey
from delivery.selectors import satisfaction_averages
from projects.models import Project
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


def _answered(project, sender, scores):
    overall, quality, service, timeliness = scores
    return Survey.objects.create(
        project=project, sent_by=sender, contact="客户", expires_at=timezone.now(), state="answered", channel="phone",
        overall=overall, quality=quality, service=service, timeliness=timeliness, answered_at=timezone.now(),
    )  # fmt: skip


def _project(code, region, pm):
    return Project.objects.create(code=code, name=code, kind="local", customer_name="客户", region=region, pm=pm)


def test_the_director_sees_averages_by_region_and_pm(org):
    from pmis.org.models import Region

    north, south = Region.objects.get(code="north"), Region.objects.get(code="south")
    pm_n, pm_s = org["regional_pm"], org["regional_pm_south"]
    _answered(_project("N1", north, pm_n), pm_n, (5, 5, 5, 5))
    _answered(_project("N2", north, pm_n), pm_n, (3, 4, 3, 2))
    _answered(_project("S1", south, pm_s), pm_s, (2, 3, 3, 4))
    Survey.objects.create(project=_project("S2", south, pm_s), sent_by=pm_s, contact="客户", expires_at=timezone.now())
    # a PM whose surveys are all still waiting has no row of averages
    director = org["project_director"]
    Survey.objects.create(
        project=_project("S3", south, director), sent_by=pm_s, contact="客户", expires_at=timezone.now()
    )
    assert count_queries(lambda: satisfaction_averages(org["project_director"])) == 2
    card = satisfaction_averages(org["project_director"])
    assert (card["answered"], card["waiting"]) == (3, 2)
    assert card["average"] == round((5 + 3 + 3) / 3, 2)
    by_region = {r["project__region__name"]: (r["n"], r["average"], r["overall"]) for r in card["by_region"]}
    assert by_region == {north.name: (2, 4.0, 4.0), south.name: (1, 3.0, 2.0)}
    assert [r["project__region__name"] for r in card["by_region"]] == [north.name, south.name]  # best first
    by_pm = {r["project__pm__username"]: r["average"] for r in card["by_pm"]}
    assert by_pm == {"regional_pm": 4.0, "regional_pm_south": 3.0}
    # someone who sees no project sees no answers
    assert satisfaction_averages(org["sales2"])["answered"] == 0
    # the embedded default (SQLite) counts the same card in Python
    with patch.object(connection, "vendor", "sqlite"):
        assert satisfaction_averages(director) == card
