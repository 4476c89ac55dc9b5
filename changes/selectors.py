"""What a person may see of the three flows."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from approvals.models import Task
from approvals.selectors import open_tasks_for, task_can_act
from projects.models import Project

from .models import Bug, ChangeRequest, Release
from .services.common import can_view_project_records


def project_for(user, pk: int) -> Project:
    project = get_object_or_404(Project.objects.select_related("region", "pm"), pk=pk)
    if not can_view_project_records(user, project):
        raise PermissionDenied("您不是该项目的成员")
    return project


def record_for(user, model, pk: int):
    record = get_object_or_404(model.objects.select_related("project", "project__pm", "project__region"), pk=pk)
    if not can_view_project_records(user, record.project):
        raise PermissionDenied("您不是该项目的成员")
    return record


def record_can_view(user, record) -> bool:
    return can_view_project_records(user, record.project)


def record_can_attach(user, record) -> bool:
    """The team files papers on a record; so does anyone a step of it waits on."""
    from .services.common import can_file

    return can_file(user, record.project) or bool(my_steps(user, record))


DOC_TYPES = {
    "change": ("change-request",),
    "bug": ("bug-fix-record",),
    "release": ("release-application", "release-notes"),
}


def changes_of(user, project: Project) -> QuerySet[ChangeRequest]:
    if not can_view_project_records(user, project):
        return ChangeRequest.objects.none()
    return project.change_requests.select_related("submitted_by", "lead").order_by("-submitted_at", "-id")


def bugs_of(user, project: Project) -> QuerySet[Bug]:
    if not can_view_project_records(user, project):
        return Bug.objects.none()
    return project.bugs.select_related("filed_by").order_by("-filed_at", "-id")


def releases_of(user, project: Project) -> QuerySet[Release]:
    if not can_view_project_records(user, project):
        return Release.objects.none()
    return project.releases.select_related("requester", "released_by").order_by("-requested_at", "-id")


def my_steps(user, record) -> list[Task]:
    """The open steps of a record this user may act on now."""
    return [t for t in open_tasks_for(record).select_related("group", "assignee") if task_can_act(user, t)]


def ticket_follow_ups(user, ticket) -> dict:
    """On a ticket's page: the change requests and BUGs filed from it, and whether this user may
    file one (the project is live and he is on its team)."""
    from .services.common import AFTER_GO_LIVE, can_file

    project = ticket.project
    return {
        "changes": list(ticket.change_requests.only("pk", "number", "title", "state")),
        "bugs": list(ticket.bugs.only("pk", "number", "title", "state")),
        "can_file": project.state in AFTER_GO_LIVE and can_file(user, project),
    }
