"""The project workspace's tabs of the three flows (需求变更, BUG, 版本发布)."""

from django.utils import timezone

from projects.workspace import Tab

from .selectors import bugs_of, changes_of, releases_of
from .services.common import AFTER_GO_LIVE, can_file, can_view_project_records
from .services.releases import next_windows

ROWS = 50


def _common(request, project) -> dict:
    return {"can_file": can_file(request.user, project), "is_live": project.state in AFTER_GO_LIVE}


def _changes(request, project) -> dict:
    return {**_common(request, project), "rows": list(changes_of(request.user, project)[:ROWS])}


def _bugs(request, project) -> dict:
    return {**_common(request, project), "rows": list(bugs_of(request.user, project)[:ROWS])}


def _releases(request, project) -> dict:
    return {
        **_common(request, project),
        "rows": list(releases_of(request.user, project)[:ROWS]),
        "windows": next_windows(timezone.now()),
    }


def _visible(user, project) -> bool:
    return can_view_project_records(user, project)


TABS = (
    Tab("changes", "需求变更", 90, "changes/tab_changes.html", _changes, _visible),
    Tab("bugs", "BUG", 91, "changes/tab_bugs.html", _bugs, _visible),
    Tab("releases", "版本发布", 92, "changes/tab_releases.html", _releases, _visible),
)
