"""The project workspace's operations tabs: 突发事件, 现场服务 (with 保外维修), 每月巡检."""

from projects.models import State as ProjectState
from projects.workspace import Tab, register

from .services.common import can_view_operations, can_work_operations

AFTER_GO_LIVE = (
    ProjectState.LIVE,
    ProjectState.ACCEPTANCE,
    ProjectState.HANDOVER,
    ProjectState.MAINTENANCE,
    ProjectState.CLOSED,
)


def _visible(user, project) -> bool:
    return project.state in AFTER_GO_LIVE and can_view_operations(user, project)


def _incidents(request, project) -> dict:
    from .forms import IncidentForm
    from .selectors import project_incidents

    return {
        "incidents": project_incidents(request.user, project),
        "can_work": can_work_operations(request.user, project),
        "incident_form": IncidentForm(),
    }


def _onsite(request, project) -> dict:
    from .forms import OnsiteForm, RepairForm
    from .selectors import project_onsite

    return {
        **project_onsite(request.user, project),
        "can_work": can_work_operations(request.user, project),
        "onsite_form": OnsiteForm(project=project),
        "repair_form": RepairForm(),
    }


def _inspections(request, project) -> dict:
    from .forms import InspectionPlanForm
    from .models import InspectionPlan
    from .selectors import project_inspections

    plan = InspectionPlan.objects.filter(project=project).first()
    return {
        **project_inspections(request.user, project),
        "can_work": can_work_operations(request.user, project),
        "plan_form": InspectionPlanForm(instance=plan),
    }


def register_tabs() -> None:
    register(
        Tab(
            slug="incidents",
            label="突发事件",
            order=100,
            template="operations/tab_incidents.html",
            context=_incidents,
            visible=_visible,
        )
    )
    register(
        Tab(
            slug="onsite",
            label="现场服务",
            order=101,
            template="operations/tab_onsite.html",
            context=_onsite,
            visible=_visible,
        )
    )
    register(
        Tab(
            slug="inspections",
            label="每月巡检",
            order=102,
            template="operations/tab_inspections.html",
            context=_inspections,
            visible=_visible,
        )
    )
