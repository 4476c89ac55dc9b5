"""Where a step goes when nobody but the requester could act on it.

A step never waits on nobody. When the role a step waits on has no active member (in its region
and team) other than the requester, who may not decide their own request, the step goes one level
up by the rule below and keeps the requester excluded; if the chain runs out, it goes to the
system administrator, who hands it on with 转交. Each move is written on the task
(`routing_note`) and in the audit log.

The rule (role → the role one level up), from the reporting lines of 000 §3 and 001 §3:
  销售主管 (the owner's team)       → 特批领导 of the record's region (000 §3.1: the next step of the special chain)
  区域项目经理 (the project's region) → 项目总监 (000 §3.3.1: the director assigns the regional PMs)
  实施人员                           → 区域项目经理 of the region (000 §3.3.3)
  立项专家 / 开发经理                → 项目总监 (000 §3.4: R&D agrees the solution with the director)
  客户成功主管、客户成功部           → 客户成功负责人 (000 §3.6)
  运营客服组、售后支持组             → 客户成功负责人 (000 §3.6: both groups of 客户成功部)
  平台运维部                         → 平台运维部经理 (000 §3.8)
  系统服务部                         → 售后运维部经理 (000 §3.7)
  every other role (the top of its line: 特批领导, 商务审批员, 产品管理部, 项目总监, 客户成功负责人,
  售后运维部经理, 平台运维部经理, 销售, 售前)  → 系统管理员
A step assigned to one person who cannot act (the requester, or an inactive account) first goes to
the role it was assigned for, then up the same way."""

from dataclasses import dataclass

from django.contrib.auth.models import Group

from pmis.org.models import Department, Region, User
from pmis.org.roles import REGION_SCOPED_ROLES, role_label
from pmis.org.selectors import users_in_role

from .errors import DomainError

ROUTE_UP: dict[str, str] = {
    "sales_manager": "special_approver",
    "regional_pm": "project_director",
    "implementer": "regional_pm",
    "rd_expert": "project_director",
    "cs_manager": "cs_head",
    "cs_staff": "cs_head",
    "aftersales": "aftersales_manager",
    "cs_ops": "cs_head",
    "cs_support": "cs_head",
    "platform_ops": "platform_manager",
}
ADMINISTRATOR = "系统管理员"


@dataclass
class Route:
    group: Group | None
    region: Region | None
    department: Department | None
    assignee: User | None
    note: str = ""


def _describe(route: Route) -> str:
    if route.group is None:
        return str(route.assignee)
    text = role_label(route.group.name)
    scope = [str(s) for s in (route.region, route.department) if s is not None]
    if route.assignee is not None:
        scope.insert(0, str(route.assignee))
    return f"{text}（{'，'.join(scope)}）" if scope else text


def eligible(route: Route, exclude_user: User | None) -> list[User]:
    """Who could act on a step routed this way, the requester left out."""
    excluded = exclude_user.pk if exclude_user is not None else None
    if route.assignee is not None:
        ok = route.assignee.is_active and route.assignee.pk != excluded
        return [route.assignee] if ok else []
    users = users_in_role(route.group.name, region=route.region)
    if route.department is not None:
        users = users.filter(department=route.department)
    if excluded is not None:
        users = users.exclude(pk=excluded)
    return list(users[:1])


def route(
    *,
    group: Group | None,
    region: Region | None,
    department: Department | None,
    assignee: User | None,
    exclude_user: User | None,
    route_region: Region | None,
    step_label: str,
) -> Route:
    """The route of a new step: as asked when someone other than the requester can act on it,
    else one level up at a time (see the module's rule)."""
    current = Route(group, region, department, assignee)
    if eligible(current, exclude_user):
        return current
    tried = [_describe(current)]
    seen: set[str] = set()
    route_region = route_region or region
    while True:
        if current.assignee is not None and current.group is not None:
            # the named person cannot act: the role they were named for, in the same scope
            current = Route(current.group, current.region, current.department, None)
        else:
            code = current.group.name if current.group is not None else ""
            seen.add(code)
            up = ROUTE_UP.get(code)
            if up is None or up in seen:
                return _to_administrator(tried, exclude_user, step_label)
            scope = route_region if up in REGION_SCOPED_ROLES else None
            current = Route(Group.objects.get(name=up), scope, None, None)
        if eligible(current, exclude_user):
            current.note = f"{'、'.join(tried)}中除申请人外无人可处理，已按规则上移至{_describe(current)}"
            return current
        tried.append(_describe(current))


def _to_administrator(tried: list[str], exclude_user: User | None, step_label: str) -> Route:
    admins = User.objects.filter(is_superuser=True, is_active=True).order_by("pk")
    if exclude_user is not None:
        admins = admins.exclude(pk=exclude_user.pk)
    admin = admins.first()
    if admin is None:
        raise DomainError(
            f"“{step_label}”无人可处理：{'、'.join(tried)}中除申请人外没有可处理的人员，请先由系统管理员配置角色"
        )
    note = f"{'、'.join(tried)}中除申请人外无人可处理，已转{ADMINISTRATOR}（{admin}）指定处理人"
    return Route(None, None, None, admin, note)
