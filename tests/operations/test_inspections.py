import pytest
from django.core.exceptions import PermissionDenied

from approvals.errors import DomainError
from approvals.selectors import open_tasks_for
from operations import services
from operations.models import Inspection
from projects.models import Project
from projects.models import State as ProjectState
from tests.helpers import run_at_once

from .conftest import at

pytestmark = pytest.mark.django_db
CHECKLIST = "服务器资源\n数据库备份\n证书有效期"


def _plan(project, org, day=15):
    return services.inspection_plan_set(
        project=project,
        actor=org["regional_pm"],
        day_of_month=day,
        inspector=org["implementer"],
        checklist=CHECKLIST,
        agreed_with="信息科张工",
    )


def test_each_month_the_inspection_opens_on_the_agreed_day_once(org, live):
    _plan(live, org)
    assert services.inspections_open_due(today=at(2026, 6, 14, 8, 0).date()) == 0
    assert services.inspections_open_due(today=at(2026, 6, 15, 8, 0).date()) == 1
    assert services.inspections_open_due(today=at(2026, 6, 16, 8, 0).date()) == 0
    inspection = Inspection.objects.get()
    assert (inspection.month.isoformat(), inspection.scheduled_on.isoformat()) == ("2026-06-01", "2026-06-15")
    assert inspection.items == ["服务器资源", "数据库备份", "证书有效期"]
    task = open_tasks_for(inspection).get()
    assert (task.step, task.assignee) == ("inspection.record", org["implementer"])
    assert services.inspections_open_due(today=at(2026, 7, 20, 8, 0).date()) == 1
    assert Inspection.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_open_one_inspection(org, live):
    _plan(live, org)
    results = run_at_once(lambda: services.inspections_open_due(today=at(2026, 6, 15, 8, 0).date()))
    assert sum(results) == 1
    inspection = Inspection.objects.get()
    assert open_tasks_for(inspection).count() == 1


def test_only_projects_in_maintenance_are_inspected(org, live):
    _plan(live, org)
    Project.objects.filter(pk=live.pk).update(state=ProjectState.CLOSED)
    assert services.inspections_open_due(today=at(2026, 6, 15, 8, 0).date()) == 0


def test_recording_the_inspection(org, live):
    _plan(live, org)
    services.inspections_open_due(today=at(2026, 6, 15, 8, 0).date())
    inspection = Inspection.objects.get()
    results = [{"item": i, "ok": True, "note": ""} for i in inspection.items]
    results[2] = {"item": "证书有效期", "ok": False, "note": ""}
    with pytest.raises(DomainError, match="异常项须说明情况：证书有效期"):
        services.inspection_record(inspection=inspection, actor=org["implementer"], results=results, summary="正常")
    with pytest.raises(PermissionDenied):
        services.inspection_record(inspection=inspection, actor=org["sales"], results=results, summary="正常")
    results[2]["note"] = "证书 30 天后到期，已通知客户续期"
    inspection = services.inspection_record(
        inspection=inspection, actor=org["implementer"], results=results, summary="基本正常"
    )
    assert inspection.state == Inspection.State.DONE and inspection.problems == 1
    assert not open_tasks_for(inspection).exists()


def test_the_agreed_day_exists_in_every_month(org, live):
    with pytest.raises(DomainError, match="1–28"):
        _plan(live, org, day=31)
