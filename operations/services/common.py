"""What the operations services share: who may act on a project's operations, and locking."""

from django.core.exceptions import PermissionDenied

from pmis.org.selectors import user_role_codes, users_in_role
from projects.models import Project
from projects.selectors import project_can_view, project_team_member

# 系统服务部, 售后运维部经理, 客户成功 and the 应急小组 work every maintained project's operations.
OPERATIONS_ROLES = frozenset({"aftersales", "aftersales_manager", "cs_staff", "cs_head", "emergency_team"})
EMERGENCY_TEAM = "emergency_team"


def is_operations_staff(user) -> bool:
    return user.is_superuser or bool(user_role_codes(user) & OPERATIONS_ROLES)


def is_emergency_team(user) -> bool:
    return user.is_superuser or EMERGENCY_TEAM in user_role_codes(user)


def can_view_operations(user, project: Project) -> bool:
    return user.is_authenticated and (is_operations_staff(user) or project_can_view(user, project))


def can_work_operations(user, project: Project) -> bool:
    """The project team (PM, implementers, the team's groups) and the operations staff."""
    return user.is_authenticated and (is_operations_staff(user) or project_team_member(user, project))


def require_work(user, project: Project, what: str) -> None:
    if not can_work_operations(user, project):
        raise PermissionDenied(f"只有项目组成员或售后运维人员可以{what}")


def emergency_members():
    return list(users_in_role(EMERGENCY_TEAM))
