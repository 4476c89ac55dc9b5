"""Reads of the delivery subject that go beyond one project's tab: the director's view of
customer satisfaction."""

from django.core.exceptions import EmptyResultSet
from django.db import connection

from pmis.org.selectors import user_role_codes
from pmis.statements import run_when_repeated
from projects.models import Project
from projects.selectors import EVERY_PROJECT, NO_PROJECT, of_visible_projects, visible_project_ids_sql

from .models import Survey

SURVEY_LIST_ROLES = frozenset({"marketing", "project_director"})  # 市场部 runs it, the director oversees it


def _rounded(value):
    return None if value is None else round(value, 2)


# Totals, by region and by PM of the surveys of the projects a user may see, in one statement:
# the three ORM aggregates each compiled the visibility condition again, which cost several times
# their SQL. Each set's rows keep the order the card lists them in (best average first).
_AVERAGES_SQL = """
SELECT GROUPING(r.name, u.display_name) AS grouping_set,
       r.name, u.display_name, u.username,
       COUNT(*) FILTER (WHERE s.state = %s) AS answered,
       COUNT(*) FILTER (WHERE s.state = %s) AS waiting,
       -- the average of one answer: its four scores, each 1–5, weighted equally
       AVG((s.overall + s.quality + s.service + s.timeliness)::double precision / 4.0)
           FILTER (WHERE s.state = %s) AS average,
       AVG(s.overall::double precision) FILTER (WHERE s.state = %s) AS overall
FROM delivery_survey s
JOIN projects_project p ON p.id = s.project_id
LEFT JOIN org_region r ON r.id = p.region_id
LEFT JOIN org_user u ON u.id = p.pm_id
WHERE {visible}
GROUP BY GROUPING SETS ((), (r.name), (u.display_name, u.username))
ORDER BY grouping_set, average DESC, r.name, u.display_name, u.username
"""
_BY_REGION, _BY_PM, _TOTAL = 1, 2, 3  # GROUPING(): a bit per column the set leaves out, region's first


def satisfaction_averages(user) -> dict:
    """Customer satisfaction by region and by PM, over the answered surveys of the projects this
    user may see. Two queries: the user's roles and one grouped statement."""
    result = {"answered": 0, "waiting": 0, "average": None, "by_region": [], "by_pm": []}
    visible = visible_project_ids_sql(user)
    if visible == NO_PROJECT:
        return result
    if visible == EVERY_PROJECT:
        visible, params = "true", ()
    else:
        visible, params = f"s.project_id IN ({visible[0]})", visible[1]
    done, sent = Survey.State.ANSWERED.value, Survey.State.SENT.value
    if connection.vendor != "postgresql":
        rows = _grouped_in_python(surveys_visible(user), done, sent)
    else:
        with connection.cursor() as cursor:
            cursor.execute(_AVERAGES_SQL.format(visible=visible), (done, sent, done, done, *params))
            rows = cursor.fetchall()
    for grouping_set, region, display_name, username, answered, waiting, average, overall in rows:
        if grouping_set == _TOTAL:
            result.update(answered=answered, waiting=waiting, average=_rounded(average))
            continue
        if not answered:  # a group of surveys none of which is answered yet is not shown
            continue
        row = {"n": answered, "average": _rounded(average), "overall": _rounded(overall)}
        if grouping_set == _BY_REGION:
            result["by_region"].append({"project__region__name": region, **row})
        else:
            result["by_pm"].append(
                {"project__pm__display_name": display_name, "project__pm__username": username, **row}
            )
    return result


def _grouped_in_python(surveys, done: str, sent: str) -> list[tuple]:
    """_AVERAGES_SQL's rows, in its order, counted in Python: the embedded default (SQLite) has no
    GROUPING SETS. Its demo data holds a handful of surveys."""
    groups: dict[tuple, list] = {}
    fields = ("state", "overall", "quality", "service", "timeliness")
    people = ("project__region__name", "project__pm__display_name", "project__pm__username")
    for row in surveys.values_list(*fields, *people):
        state, overall, quality, service, timeliness, region, display_name, username = row
        for key in (
            (_TOTAL, None, None, None),
            (_BY_REGION, region, None, None),
            (_BY_PM, None, display_name, username),
        ):
            group = groups.setdefault(key, [0, 0, [], []])
            group[0] += state == done
            group[1] += state == sent
            if state == done:
                group[2].append((overall + quality + service + timeliness) / 4.0)
                group[3].append(float(overall))
    rows = [
        (*key, answered, waiting, sum(mean) / len(mean) if mean else None, sum(first) / len(first) if first else None)
        for key, (answered, waiting, mean, first) in groups.items()
    ]
    # the grouping set, then best average first (none last), then the names
    return sorted(rows, key=lambda r: (r[0], r[6] is None, -(r[6] or 0), r[1] or "", r[2] or "", r[3] or ""))


def surveys_can_list(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(user_role_codes(user) & SURVEY_LIST_ROLES))


def surveys_visible(user):
    """The surveys of the projects this user may open, with what the list shows."""
    return of_visible_projects(Survey.objects.select_related("project__region", "project__pm"), user)


def surveys_to_send(user, *, limit: int = 20) -> list:
    """The projects whose 发送满意度调查 step is open, earliest due first (bounded)."""
    from approvals.models import Task

    from .services.satisfaction import SEND_STEP

    tasks = Task.objects.filter(step=SEND_STEP, state=Task.State.OPEN).order_by("due_at", "id")
    first = list(tasks[: limit * 2])
    asked = Project.objects.filter(pk__in=sorted({t.object_id for t in first}))
    try:
        sql, params = of_visible_projects(asked, user, field="pk").values_list("pk").query.sql_with_params()
    except EmptyResultSet:  # nothing waits, or the user sees no project
        return []
    # the same projects asked about by the same person, visit after visit: planned once per connection
    visible = {row[0] for row in run_when_repeated(sql, params)}
    return [t for t in first if t.object_id in visible][:limit]
