"""The 项目总监's card: the health of the active projects and the top open risks."""

from projects.models import ACTIVE_STATES
from projects.selectors import projects_visible

from .health import Health, formula, health_for
from .risks import top_risks

SHOWN = 8


def health_card(user) -> dict:
    projects = list(
        projects_visible(user).filter(state__in=ACTIVE_STATES).select_related("region", "pm").order_by("code")
    )
    health = health_for([p.pk for p in projects])
    counts = {state: 0 for state in Health.LABELS}
    troubled = []
    for project in projects:
        project.health = health[project.pk]
        counts[project.health.state] += 1
        if project.health.state != Health.OK:
            troubled.append(project)
    troubled.sort(key=lambda p: (p.health.state != Health.LATE, p.code))
    return {
        "figures": [(Health.LABELS[s], counts[s], s) for s in (Health.LATE, Health.AT_RISK, Health.OK)],
        "troubled": troubled[:SHOWN],
        "troubled_total": len(troubled),
        "risks": top_risks(user, limit=SHOWN),
        "formula": formula(),
    }
