"""What the three flows share: who may see and file on a project after go-live, and the open
step a person answers."""

from django.core.exceptions import PermissionDenied

from approvals.errors import AlreadyDecided, DomainError
from approvals.models import Task
from approvals.selectors import open_tasks_for, task_can_act
from pmis.org.selectors import user_role_codes
from projects.models import Project
from projects.models import State as ProjectState
from projects.selectors import project_can_view, project_team_member
from projects.services import can_manage

# The project is live: go-live, acceptance, handover and maintenance (运维).
AFTER_GO_LIVE = (ProjectState.LIVE, ProjectState.ACCEPTANCE, ProjectState.HANDOVER, ProjectState.MAINTENANCE)
# Roles that work on these records across projects (their steps reach them through the inbox).
OPERATIONS_ROLES = frozenset(
    {"requirement_lead", "quality", "releaser", "product_dept", "rd_expert", "project_director", "aftersales"}
)


def can_view_project_records(user, project: Project) -> bool:
    if not user.is_authenticated:
        return False
    return project_can_view(user, project) or bool(user_role_codes(user) & OPERATIONS_ROLES)


def can_file(user, project: Project) -> bool:
    """Anyone on the team (a person or through a team group), the PM, and after-sales staff."""
    if not user.is_authenticated:
        return False
    return (
        can_manage(user, project)
        or project_team_member(user, project)
        or bool(user_role_codes(user) & {"aftersales", "requirement_lead", "quality"})
    )


def require_live(project: Project) -> None:
    if project.state not in AFTER_GO_LIVE:
        raise DomainError(
            f"项目处于“{project.get_state_display()}”阶段，上线后（运维期）才能登记需求变更、BUG 与版本发布"
        )


def step_for(record, step: str, actor) -> Task:
    """The open step `step` of a record, which `actor` must be able to act on: of the tasks a
    会签 or 加签 opened, his; pressed second, “已由 X 于 … 处理”."""
    from approvals.chains import chain_of, chain_task_for

    tasks = list(open_tasks_for(record).filter(step=step).order_by("pk"))
    if chain_of(step) is not None:
        try:
            return chain_task_for(record, step, actor)
        except AlreadyDecided as exc:
            if tasks:
                raise
            raise AlreadyDecided(
                str(exc) if "已由" in str(exc) else "该环节已被处理或尚未开始，请刷新页面查看最新状态"
            ) from None
        except PermissionDenied:
            raise PermissionDenied(f"您不能办理“{tasks[0].step_label}”") from None
    task = tasks[0] if tasks else None
    if task is None:
        raise AlreadyDecided("该环节已被处理或尚未开始，请刷新页面查看最新状态")
    if not task_can_act(actor, task):
        raise PermissionDenied(f"您不能办理“{task.step_label}”")
    return task


def require_text(value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(message)
    return value
