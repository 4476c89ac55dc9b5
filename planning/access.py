"""Who may read and who may change a project's plan, risks, matrix and reports: everyone who may
see the project reads; the PM and the team (and those who manage the project) change."""

from django.core.exceptions import PermissionDenied

from projects.selectors import project_can_view
from projects.services import can_manage


def can_view(user, project) -> bool:
    return user.is_authenticated and project_can_view(user, project)


def can_edit(user, project) -> bool:
    if not user.is_authenticated:
        return False
    return can_manage(user, project) or user.has_perm("projects.implement_project", project)


def require_edit(user, project, what: str = "计划") -> None:
    if not can_edit(user, project):
        raise PermissionDenied(f"只有项目经理和项目组成员可以修改{what}")
