"""Reads of the delivery subject that go beyond one project's tab: the director's view of
customer satisfaction."""

from django.db.models import Avg, Count, F, FloatField, Q
from django.db.models.functions import Cast

from pmis.org.selectors import user_role_codes
from projects.selectors import projects_visible

from .models import Survey

SURVEY_LIST_ROLES = frozenset({"marketing", "project_director"})  # 市场部 runs it, the director oversees it

# the average of one answer: its four scores, each 1–5, weighted equally
ANSWER_AVERAGE = Cast(F("overall") + F("quality") + F("service") + F("timeliness"), FloatField()) / 4.0


def _rounded(value):
    return None if value is None else round(value, 2)


def satisfaction_averages(user) -> dict:
    """Customer satisfaction by region and by PM, over the answered surveys of the projects this
    user may see. Four queries: the user's roles, the totals, by region, by PM."""
    surveys = Survey.objects.filter(project__in=projects_visible(user).values("pk"))
    answered = surveys.filter(state=Survey.State.ANSWERED)
    counts = surveys.aggregate(
        answered=Count("pk", filter=Q(state=Survey.State.ANSWERED)),
        waiting=Count("pk", filter=Q(state=Survey.State.SENT)),
        average=Avg(ANSWER_AVERAGE, filter=Q(state=Survey.State.ANSWERED)),
    )

    def grouped(*fields):
        return [
            {**row, "average": _rounded(row["average"]), "overall": _rounded(row["overall"])}
            for row in answered.values(*fields)
            .annotate(n=Count("pk"), average=Avg(ANSWER_AVERAGE), overall=Avg("overall"))
            .order_by("-average", *fields)
        ]

    return {
        "answered": counts["answered"],
        "waiting": counts["waiting"],
        "average": _rounded(counts["average"]),
        "by_region": grouped("project__region__name"),
        "by_pm": grouped("project__pm__display_name", "project__pm__username"),
    }


def surveys_can_list(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(user_role_codes(user) & SURVEY_LIST_ROLES))


def surveys_visible(user):
    """The surveys of the projects this user may open, with what the list shows."""
    return Survey.objects.filter(project__in=projects_visible(user).values("pk")).select_related(
        "project__region", "project__pm"
    )


def surveys_to_send(user, *, limit: int = 20) -> list:
    """The projects whose 发送满意度调查 step is open, earliest due first (bounded)."""
    from approvals.models import Task

    from .services.satisfaction import SEND_STEP

    tasks = Task.objects.filter(step=SEND_STEP, state=Task.State.OPEN).order_by("due_at", "id")
    visible = set(projects_visible(user).filter(pk__in=tasks.values("object_id")).values_list("pk", flat=True))
    return [t for t in tasks[: limit * 2] if t.object_id in visible][:limit]
