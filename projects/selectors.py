from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from pmis.org.selectors import acts_in_region, user_group_ids, user_regions, user_role_codes
from pmis.visibility import Reason, any_of

from .models import (
    CustomisationRequest,
    DeliveryTask,
    NewsItem,
    ProductRequest,
    Project,
    ProjectGroupObjectPermission,
    ProjectUserObjectPermission,
    State,
)

VIEW = "view_project"
AFTER_ACCEPTANCE = (State.HANDOVER, State.MAINTENANCE, State.CLOSED)


def _member_ids(user):
    return ProjectUserObjectPermission.objects.filter(user=user, permission__codename=VIEW).values("content_object_id")


def projects_visible(user) -> QuerySet[Project]:
    """Projects a user may open: directors, CM engineers and executives see all, customer-success
    managers all SaaS projects, a regional PM the projects of their region, 市场部 the projects
    whose acceptance report is approved (the ones it surveys), everyone else the projects they
    are on."""
    reasons = project_visibility(user)
    if reasons is None:
        return Project.objects.all()
    if not reasons:
        return Project.objects.none()
    return Project.objects.filter(any_of(reasons))


EVERY_PROJECT, NO_PROJECT = "every", "none"


# visible_project_ids_sql's statements, per process, by what they are built from (bounded)
_VISIBLE_SQL: dict[tuple, tuple[str, tuple] | str] = {}
VISIBLE_SQL_MAX = 4096


def visible_project_ids_sql(user) -> tuple[str, tuple] | str:
    """The ids of projects_visible(user) as compiled SQL, or EVERY_PROJECT / NO_PROJECT. Compiled
    once per person and process (and kept on the request's user object): a list page filters its
    count, its page and its cards by the same condition, and compiling it cost more than running
    it. The SQL depends only on the user's id, superuser flag and roles: who is on which project,
    and which regions a regional PM acts for, are subqueries read when it runs."""
    cached = getattr(user, "_pmis_visible_projects_sql", None)
    if cached is not None:
        return cached
    if not user.is_authenticated:
        return NO_PROJECT
    key = (user.pk, user.is_superuser, user_group_ids(user))
    cached = _VISIBLE_SQL.get(key)
    if cached is None:
        reasons = project_visibility(user)
        if reasons is None:
            cached = EVERY_PROJECT
        elif not reasons:
            cached = NO_PROJECT
        else:
            cached = Project.objects.filter(any_of(reasons)).order_by().values("pk").query.sql_with_params()
        if len(_VISIBLE_SQL) >= VISIBLE_SQL_MAX:
            _VISIBLE_SQL.clear()
        _VISIBLE_SQL[key] = cached
    user._pmis_visible_projects_sql = cached
    return cached


def of_visible_projects(queryset: QuerySet, user, *, field: str = "project") -> QuerySet:
    """The rows of `queryset` whose `field` is a project the user may open (projects_visible)."""
    sql = visible_project_ids_sql(user)
    if sql == EVERY_PROJECT:
        return queryset
    if sql == NO_PROJECT:
        return queryset.none()
    return queryset.filter(**{f"{field}__in": RawSQL(*sql)})


def project_visibility(user) -> list[Reason] | None:
    """The reasons of projects_visible (None: every project), for the search (pmis/visibility.py)."""
    if not user.is_authenticated:
        return []
    roles = user_role_codes(user)
    # the CM engineer takes every project's documents into configuration management and approves
    # acceptance reports (002); the executives decide after a rejected trial run
    if user.is_superuser or roles & {"project_director", "cm_engineer", "executive"}:
        return None
    reasons = [
        Reason(
            rows=ProjectUserObjectPermission.objects.filter(user=user, permission__codename=VIEW),
            column="content_object_id",
        ),
        Reason(
            rows=ProjectGroupObjectPermission.objects.filter(group__in=user.groups.all(), permission__codename=VIEW),
            column="content_object_id",
        ),
    ]
    if "regional_pm" in roles:
        reasons.append(Reason(Q(region__in=user_regions(user))))
    if "cs_manager" in roles:
        reasons.append(Reason(Q(kind=Project.Kind.SAAS)))
    if "marketing" in roles:
        # 002: 市场部 runs the satisfaction survey once the acceptance report is approved
        reasons.append(Reason(Q(state__in=AFTER_ACCEPTANCE)))
        reasons.append(Reason(rows=Project.objects.filter(acceptance_approvals__state="approved"), column="pk"))
    return reasons


def project_can_view(user, project: Project) -> bool:
    if user.is_authenticated and getattr(project, "_visible_to", None) == user.pk:
        return True  # read through projects_visible(user) in this request (the workspace)
    return projects_visible(user).filter(pk=project.pk).exists()


def my_projects(user) -> QuerySet[Project]:
    """我的项目: the projects the user is a named member of (PM, implementer, sales)."""
    # one IN over a union, not an OR of two conditions: the OR made every page of the list and its
    # count filter all projects one by one
    led = Project.objects.filter(pm=user).order_by().values("pk")
    return Project.objects.filter(pk__in=_member_ids(user).order_by().union(led))


def with_list_columns(projects: QuerySet[Project]) -> QuerySet[Project]:
    # what the list shows: 立项依据 is the project's own basis, so the registration is not joined
    return projects.select_related("region", "pm").order_by("-created_at", "-id")


def project_team_member(user, project: Project) -> bool:
    """On the team (a person or through a team group): who may download licence files."""
    if user.is_superuser or project.pm_id == user.pk:
        return True
    return (
        ProjectUserObjectPermission.objects.filter(
            user=user, content_object=project, permission__codename=VIEW
        ).exists()
        or ProjectGroupObjectPermission.objects.filter(
            group__in=user.groups.all(), content_object=project, permission__codename=VIEW
        ).exists()
        or ("regional_pm" in user_role_codes(user) and acts_in_region(user, project.region_id))
    )


def delivery_task_can_view(user, task: DeliveryTask) -> bool:
    return project_can_view(user, task.project)


def delivery_task_can_attach(user, task: DeliveryTask) -> bool:
    return task.assignee_id == user.pk and task.state != DeliveryTask.State.DONE


def product_request_can_view(user, request: ProductRequest) -> bool:
    """Licence files download only for the project's team, the departments that issue them, the
    directors and executives who run the project, and whoever a step of the request waits on or was decided by."""
    roles = user_role_codes(user)
    # the CM engineer releases the software products to the PM (002 项目准备); the executives oversee
    if roles & {"product_dept", "business_approver", "project_director", "cm_engineer", "executive"}:
        return True
    if "cs_manager" in roles and request.project.kind == Project.Kind.SAAS:
        return True
    if project_team_member(user, request.project):
        return True
    from approvals.selectors import record_involves

    return record_involves(user, request)


def product_request_can_attach(user, request: ProductRequest) -> bool:
    return "product_dept" in user_role_codes(user) and request.state == ProductRequest.State.PENDING_PRODUCT


def customisation_can_view(user, request: CustomisationRequest) -> bool:
    """A customisation is seen by whoever sees its project, its named 研发评估人, and whoever a
    step of it waits on or was decided by (a 开发经理 need not be on the project team)."""
    if not user.is_authenticated:
        return False
    if request.rd_expert_id == user.pk or projects_visible(user).filter(pk=request.requirement.project_id).exists():
        return True
    from approvals.decisions import task_was_for
    from approvals.selectors import open_tasks_for, task_can_act

    if any(task_can_act(user, t) for t in open_tasks_for(request)):
        return True
    return any(task_was_for(user, t) for t in request.tasks.exclude(state="open"))


def news_for(user) -> QuerySet[NewsItem]:
    """项目新闻 is the company's feed: every signed-in member of staff reads all of it."""
    if not user.is_authenticated:
        return NewsItem.objects.none()
    return NewsItem.objects.select_related("project", "author")


def weekly_missing_for(user, week_start) -> QuerySet[Project]:
    """周报缺报: active projects with a PM and no weekly report for the week — for 项目总监 only."""
    if not (user.is_superuser or "project_director" in user_role_codes(user)):
        raise PermissionDenied("只有项目总监可以查看周报缺报情况")
    from .services import projects_missing_report

    return projects_missing_report(week_start)
