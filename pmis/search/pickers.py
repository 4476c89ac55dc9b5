"""Search-as-you-type choosers for people and projects (`PickerWidget`): each source names what a
user may pick for one kind of field, the JSON endpoint (`search:pick`) answers from it, and the
form that uses it still validates the chosen value against its own queryset."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from pmis.lists import keyword_filter, rows_by_id
from pmis.org.models import User
from pmis.org.selectors import user_role_codes, users_in_role
from projects.models import Project


@dataclass(frozen=True)
class Source:
    model: type
    value_field: str  # what the form receives: "pk" for a model choice, "code" for a project code
    search_fields: tuple[str, ...]
    choices: Callable  # (user, context: str) -> QuerySet of what this user may pick
    label: Callable
    detail: Callable

    def value(self, obj) -> str:
        return str(getattr(obj, self.value_field))

    def search(self, user, keyword: str, context: str = "") -> list[dict]:
        rows = self.choices(user, context)
        if keyword:
            rows = keyword_filter(rows, self.search_fields, keyword)
        rows = rows.order_by(*self.search_fields[:1], "pk")[: settings.PMIS_PICKER_LIMIT]
        return [{"value": self.value(o), "label": self.label(o), "detail": self.detail(o)} for o in rows]

    def labels(self, values: list[str]) -> list[tuple[str, str]]:
        """(value, label) of chosen values, to show them again on a refused form."""
        values = [v for v in values if v not in ("", None)]
        if not values:
            return []
        if self.value_field == "pk":  # by id through the kept statement (a form shows a few)
            values = [v for v in values if str(v).isdigit()]
            rows = rows_by_id(self.model.objects.all(), [int(v) for v in values]).values() if values else ()
        else:
            rows = self.model.objects.filter(**{f"{self.value_field}__in": values})
        found = {self.value(o): o for o in rows}
        return [(str(v), self.label(found[str(v)])) for v in values if str(v) in found]

    def exact(self, text: str) -> str:
        """A value typed without choosing (no script): an exact code, account or name."""
        text = text.strip()
        if not text:
            return ""
        condition = Q()
        for name in self.search_fields:
            condition |= Q(**{f"{name}__iexact": text})
        matches = list(self.model.objects.filter(condition)[:2])
        return self.value(matches[0]) if len(matches) == 1 else ""


def _person_label(user: User) -> str:
    return f"{user.display_name or user.username}（{user.username}）"


def _person_detail(user: User) -> str:
    return " · ".join(str(x) for x in (user.department, user.region) if x) or "—"


def _people(choices: Callable) -> Source:
    def scoped(user, context):
        return choices(user, context).select_related("department", "region")

    return Source(User, "pk", ("display_name", "username"), scoped, _person_label, _person_detail)


def _role(code: str) -> Callable:
    return lambda user, context: users_in_role(code) if user.is_authenticated else User.objects.none()


def _pm_or_implementer(user, context) -> QuerySet:
    if not user.is_authenticated:
        return User.objects.none()
    return User.objects.filter(groups__name__in=["regional_pm", "implementer"], is_active=True).distinct()


def _ticket_assignees(user, context) -> QuerySet:
    from aftersales.services import AFTERSALES_ROLES

    if not (user.is_superuser or user_role_codes(user) & AFTERSALES_ROLES):
        return User.objects.none()
    return User.objects.filter(groups__name__in=["aftersales", "cs_staff"], is_active=True).distinct()


def _regional_pms_of_region(user, context) -> QuerySet:
    """派单: the 区域项目经理 of a ticket's region, for the 售后运维部经理 who dispatches it."""
    from pmis.org.models import Region

    if not (user.is_superuser or "aftersales_manager" in user_role_codes(user)) or not context.isdigit():
        return User.objects.none()
    region = Region.objects.filter(pk=int(context)).first()
    return users_in_role("regional_pm", region=region) if region else User.objects.none()


def _reassign(user, context) -> QuerySet:
    """转交: colleagues of the same role, region and team as the task, never oneself."""
    from approvals.models import Task
    from approvals.selectors import reassign_candidates, task_can_act

    if not context.isdigit():
        return User.objects.none()
    task = Task.objects.select_related("group", "region").filter(pk=int(context)).first()
    if task is None or not (user.is_superuser or task_can_act(user, task)):
        return User.objects.none()
    return reassign_candidates(task).exclude(pk=user.pk)


def _projects_for_forms(user, context) -> QuerySet:
    """原项目 of an upgrade registration (sales) and the project of a ticket (after-sales and
    customer success): those forms accept any project, so their people may pick any; nobody
    else picks projects here."""
    from aftersales.services import AFTERSALES_ROLES

    roles = user_role_codes(user)
    if not (user.is_superuser or "sales" in roles or roles & AFTERSALES_ROLES):
        return Project.objects.none()
    return Project.objects.select_related("region")


def _project_pms(user, context) -> QuerySet:
    """The project list's 项目经理 filter: whoever leads a project in the list being filtered (all
    projects this user may open, or only his own for 我的项目), not only regional PMs."""
    from projects.selectors import my_projects, projects_visible

    if not user.is_authenticated:
        return User.objects.none()
    projects = my_projects(user) if context == "mine" else projects_visible(user)
    return User.objects.filter(pk__in=projects.filter(pm__isnull=False).values("pm_id"))


def _projects_for_orders(user, context) -> QuerySet:
    """The project of a cloud product order or a service request: sales and customer success
    may pick any project (their forms accept any); nobody else files them."""
    from success.services.common import ORDER_FILERS

    if not (user.is_superuser or user_role_codes(user) & ORDER_FILERS):
        return Project.objects.none()
    return Project.objects.select_related("region")


def _projects_to_deploy(user, context) -> QuerySet:
    """云端部署: the projects this user runs (PM, regional PM of the region, the director)."""
    from projects.selectors import projects_visible

    roles = user_role_codes(user)
    if not (user.is_superuser or roles & {"project_director", "regional_pm"}):
        return Project.objects.none()
    return projects_visible(user).select_related("region")


def _project_source(choices: Callable) -> Source:
    return Source(
        Project,
        "code",
        ("code", "name", "customer_name"),
        choices,
        lambda p: f"{p.code} {p.name}",
        lambda p: f"{p.get_state_display()} · {p.region} · {p.customer_name}",
    )


def _release_testers(user, context) -> QuerySet:
    """版本发布测试: 质量人员 and 实施人员, for a PM assigning the test."""
    if not user.is_authenticated:
        return User.objects.none()
    return User.objects.filter(groups__name__in=["quality", "implementer"], is_active=True).distinct()


def _project_team(user, context) -> QuerySet:
    """行动项 / 培训负责人 / 高管下达任务: the people of a project the user may open (its PM, its
    members by their object permissions, and the regional PMs of its region)."""
    from guardian.shortcuts import get_users_with_perms

    from projects.selectors import projects_visible

    if not context.isdigit():
        return User.objects.none()
    project = projects_visible(user).filter(pk=int(context)).select_related("region").first()
    if project is None:
        return User.objects.none()
    members = get_users_with_perms(project, only_with_perms_in=["view_project"], with_group_users=False)
    ids = {u.pk for u in members} | ({project.pm_id} if project.pm_id else set())
    return User.objects.filter(
        Q(pk__in=ids) | Q(pk__in=users_in_role("regional_pm", region=project.region).values("pk")), is_active=True
    ).distinct()


SOURCES: dict[str, Source] = {
    "implementer": _people(_role("implementer")),
    "regional_pm": _people(_role("regional_pm")),
    "rd_expert": _people(_role("rd_expert")),
    "presales": _people(_role("presales")),
    "pm_or_implementer": _people(_pm_or_implementer),
    "ticket_assignee": _people(_ticket_assignees),
    "ticket_dispatch": _people(_regional_pms_of_region),
    "reassign": _people(_reassign),
    "project_pm": _people(_project_pms),
    # 代理人 / 抄送人: any colleague (the services check who may be named)
    "person": _people(
        lambda user, context: User.objects.filter(is_active=True) if user.is_authenticated else User.objects.none()
    ),
    "release_tester": _people(_release_testers),
    "project_team": _people(_project_team),
    "project": Source(
        Project,
        "code",
        ("code", "name", "customer_name"),
        _projects_for_forms,
        lambda p: f"{p.code} {p.name}",
        lambda p: f"{p.get_state_display()} · {p.region} · {p.customer_name}",
    ),
    "order_project": _project_source(_projects_for_orders),
    "deploy_project": _project_source(_projects_to_deploy),
}
