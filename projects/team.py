"""Project team roles (001 §3.2.3 / §3.3.3 / §3.4.2) as guardian object permissions on Project.

Person roles (项目管理员, 实施人员, 业务人员) go to users; the roles the seed fills with whole user
groups (开发经理 = 立项专家, 产品经理 = 产品部, 流程受理人员 = 售后技术支持 / 运营支持组, 流程审批人员 =
流程审批用户组) go to those groups. Every member also gets view_project on the project."""

from django.contrib.auth.models import Group
from guardian.shortcuts import assign_perm, remove_perm

from .models import Project, ProjectGroupObjectPermission, ProjectUserObjectPermission

VIEW = "view_project"
ROLE_LABELS = {
    "manage_project": "项目管理员",
    "implement_project": "实施人员",
    "develop_project": "开发经理",
    "business_project": "业务人员",
    "product_project": "产品经理",
    "accept_project": "流程受理人员",
    "approve_project": "流程审批人员",
}
PERSON_ROLES = ("manage_project", "implement_project", "business_project")
APPROVER_GROUPS = ("product_dept", "business_approver", "cs_head", "special_approver")


def group_roles(project: Project, *, upgrade: bool = False) -> dict[str, tuple[str, ...]]:
    if project.kind == Project.Kind.SAAS:
        return {"accept_project": ("aftersales", "cs_staff"), "approve_project": APPROVER_GROUPS}
    return {
        "develop_project": ("rd_expert",),
        "product_project": ("product_dept",),
        "accept_project": ("aftersales",) if upgrade else ("aftersales", "cs_staff"),
        "approve_project": APPROVER_GROUPS,
    }


def grant_user(project: Project, user, role: str) -> None:
    assign_perm(f"projects.{role}", user, project)
    assign_perm(f"projects.{VIEW}", user, project)


def revoke_user(project: Project, user, role: str) -> None:
    remove_perm(f"projects.{role}", user, project)
    if not any(user.has_perm(f"projects.{r}", project) for r in PERSON_ROLES if r != role):
        remove_perm(f"projects.{VIEW}", user, project)


def grant_groups(project: Project, *, upgrade: bool = False) -> None:
    groups = {g.name: g for g in Group.objects.all()}
    for role, names in group_roles(project, upgrade=upgrade).items():
        for name in names:
            if name in groups:
                assign_perm(f"projects.{role}", groups[name], project)
                assign_perm(f"projects.{VIEW}", groups[name], project)


def members(project: Project) -> dict[str, list]:
    """Role label -> users (person roles) or groups (group roles), for the project page: two
    queries however large the team (guardian's per-user lookups cost one query a person)."""
    result: dict[str, list] = {label: [] for label in ROLE_LABELS.values()}
    people = (
        ProjectUserObjectPermission.objects.filter(content_object=project, permission__codename__in=ROLE_LABELS)
        .select_related("user", "permission")
        .order_by("user_id", "permission_id")
    )
    for row in people:
        result[ROLE_LABELS[row.permission.codename]].append(row.user)
    groups = (
        ProjectGroupObjectPermission.objects.filter(content_object=project, permission__codename__in=ROLE_LABELS)
        .select_related("group", "permission")
        .order_by("group_id", "permission_id")
    )
    for row in groups:
        result[ROLE_LABELS[row.permission.codename]].append(row.group)
    return result


def users_with_role(project: Project, role: str) -> list:
    rows = ProjectUserObjectPermission.objects.filter(content_object=project, permission__codename=role)
    return [row.user for row in rows.select_related("user").order_by("user_id")]
