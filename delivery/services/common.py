"""Who may do what on a project's delivery, and the small helpers every subject shares."""

from django.core.exceptions import PermissionDenied

from approvals.selectors import open_tasks_for, task_can_act
from approvals.services import task_close
from projects.models import Project
from projects.services import can_manage


def is_member(user, project: Project) -> bool:
    """项目组: the PM side (can_manage) or an implementer of the project."""
    return can_manage(user, project) or user.has_perm("projects.implement_project", project)


def require(condition: bool, message: str) -> None:
    if not condition:
        raise PermissionDenied(message)


def lock_project(project: Project) -> Project:
    return Project.objects.select_for_update(of=("self",)).get(pk=project.pk)


def step_task(subject, step: str, actor):
    """The open step of a record that `actor` may act on, or PermissionDenied."""
    for task in open_tasks_for(subject).filter(step=step):
        if task_can_act(actor, task):
            return task
    raise PermissionDenied("该环节不在您的待办中，或已被他人处理")


def close_steps(subject, step: str, actor, outcome: str) -> None:
    for task in open_tasks_for(subject).filter(step=step):
        task_close(task=task, actor=actor, outcome=outcome)
