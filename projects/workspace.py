"""The project workspace's tabs (项目工作台).

Every subject that has something to show on a project adds a tab here instead of growing the
project page: `register(Tab(...))` from its AppConfig.ready(). Each tab has its own URL,
`/projects/<pk>/tabs/<slug>/`, which renders the whole workspace around it, or only the tab's
fragment when htmx asks (the `HX-Request` header), so switching tabs does not reload the page.

A tab's `context(request, project)` returns what its fragment template needs; it runs only for a
user who may see the project (the view checks that first) and for whom `visible(user, project)`
is true. Forms inside a tab post to their own views, which redirect back to `tab_url(...)`.

A tab may also give a `count(user, project)` — a small number shown on the tab (open items, rows);
None shows nothing. The built-in tabs (概览 … 历史, orders 10–80) are registered by the projects
app in `projects/tabs.py`; 概览 (`overview`) also answers at the project's own URL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse


def _always(user, project) -> bool:
    return True


@dataclass(frozen=True)
class Tab:
    slug: str  # the URL segment, ASCII: "plan", "risks", "changes"…
    label: str  # what the tab says, in Chinese: 计划, 风险…
    order: int  # position among the tabs; the built-in ones use 10, 20, … 80
    template: str  # the fragment, rendered with the workspace context plus context()
    context: Callable = field(default=lambda request, project: {})
    visible: Callable = field(default=_always)
    count: Callable | None = None  # (user, project) -> int | None, the badge on the tab


OVERVIEW = "overview"  # 概览: the tab at the project's own URL


@dataclass(frozen=True)
class Section:
    """A part another subject adds to an existing tab, shown under the tab's own content: the
    director's review of the 需求清单及跟进表 (delivery) belongs on 需求, which projects owns. The
    tab's context calls `section_context`, so every view that renders the tab shows it."""

    tab: str  # the slug of the tab it joins
    template: str
    context: Callable = field(default=lambda request, project: {})
    order: int = 100


_SECTIONS: dict[str, list[Section]] = {}


def add_section(section: Section) -> None:
    sections = _SECTIONS.setdefault(section.tab, [])
    if section not in sections:
        sections.append(section)
        sections.sort(key=lambda s: (s.order, s.template))


def section_context(request, project, slug: str) -> dict:
    """The added sections' templates (`tab_sections`) and what they need, for the tab `slug`."""
    context: dict = {"tab_sections": []}
    for section in _SECTIONS.get(slug, ()):
        context.update(section.context(request, project))
        context["tab_sections"].append(section.template)
    return context


_TABS: dict[str, Tab] = {}


def register(tab: Tab) -> None:
    if tab.slug in _TABS and _TABS[tab.slug] != tab:
        raise ValueError(f"workspace tab {tab.slug!r} is registered twice")
    _TABS[tab.slug] = tab


def unregister(slug: str) -> None:
    _TABS.pop(slug, None)


def get(slug: str) -> Tab | None:
    return _TABS.get(slug)


def tabs_for(user, project) -> list[Tab]:
    return sorted((t for t in _TABS.values() if t.visible(user, project)), key=lambda t: (t.order, t.slug))


def tab_url(project, slug: str) -> str:
    if slug == OVERVIEW:
        return reverse("projects:detail", args=[project.pk])
    return reverse("projects:tab", args=[project.pk, slug])


def tab_urls(project) -> Callable[[str], str]:
    """tab_url for many tabs of one project: the URL resolver is asked once, not once per tab."""
    overview = reverse("projects:detail", args=[project.pk])
    prefix = reverse("projects:tab", args=[project.pk, OVERVIEW]).removesuffix(f"{OVERVIEW}/")
    return lambda slug: overview if slug == OVERVIEW else f"{prefix}{slug}/"


def typed(request) -> tuple:
    """Which form of the workspace was refused and for which row (e.g. `("requirement", 12)`):
    a tab's context shows what was typed back in that row."""
    return getattr(request, "_workspace_typed", ())
