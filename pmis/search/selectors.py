"""Find anything: registrations, projects, tickets and people matching a keyword, among what the
user may see. Each kind starts from its app's visibility selector, so the search box never shows
a record its page would refuse. One query per kind, whatever the data size; on PostgreSQL the
trigram indexes (migration 0001) serve the keyword match."""

import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.http import urlencode

from aftersales.models import Ticket
from aftersales.selectors import ticket_visibility
from approvals.selectors import active_delegations_to
from pmis import statements
from pmis.compound import union_all
from pmis.lists import keyword_filter, row_url
from pmis.org.models import User
from pmis.org.selectors import user_group_ids, user_region_ids
from pmis.statements import kept
from pmis.visibility import Reason, any_of
from projects.models import Project
from projects.selectors import project_visibility, projects_visible
from registrations.models import Registration, registration_title
from registrations.selectors import registration_visibility, registrations_visible

KINDS = (
    ("registration", "登记"),
    ("project", "项目"),
    ("ticket", "售后问题"),
    ("person", "人员"),
    ("article", "知识"),
)
KIND_LABELS = dict(KINDS)

REGISTRATION_FIELDS = ("number", "customer_name", "customer_short_name", "contract_number")
PROJECT_FIELDS = ("code", "name", "customer_name")
TICKET_FIELDS = ("number", "subject")
PERSON_FIELDS = ("display_name", "username")
ARTICLE_FIELDS = ("number", "title", "problem")  # knowledge 0002: trigram indexes


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    detail: str
    url: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "kind_label": self.kind_label,
            "title": self.title,
            "detail": self.detail,
            "url": self.url,
        }


def _ranked(queryset: QuerySet, fields: tuple[str, ...], keyword: str) -> QuerySet:
    """Matches first by an exact number / code, then by its prefix, then the newest rows."""
    keyword = keyword.replace("\x00", "")
    return (
        keyword_filter(queryset, fields, keyword)
        .annotate(search_rank=_rank(fields[0], keyword))
        .order_by("search_rank", "-pk")
    )


def _rank(key: str, keyword: str) -> Case:
    return Case(
        When(Q(**{f"{key}__iexact": keyword}), then=Value(0)),
        When(Q(**{f"{key}__istartswith": keyword}), then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


# How many of the newest matches of each rank a search reads before asking which of them the
# user may see: a multiple of the hits it shows, so a broad keyword costs the same as a rare one.
WINDOW_PER_HIT = 5
WINDOW_MIN = 100


def _rank_conditions(key: str, keyword: str) -> list[Q]:
    """Which rows hold each rank (exact number / code, its prefix, any other match); the last
    one applies to matches of the keyword."""
    exact = Q(**{f"{key}__iexact": keyword})
    starts = Q(**{f"{key}__istartswith": keyword})
    return [exact, starts & ~exact, ~starts]


def _by_rank(queryset: QuerySet, fields: tuple[str, ...], keyword: str, size: int) -> list[QuerySet]:
    """The matches of each rank, newest first, at most `size` of each: orders an index serves
    (the primary key read backwards, or the trigram index when the keyword is rare), so none of
    them sorts every match of a broad keyword."""
    exact, prefix, other = _rank_conditions(fields[0], keyword)
    return [
        queryset.filter(exact).annotate(search_rank=Value(0)).order_by("-pk")[:size],
        queryset.filter(prefix).annotate(search_rank=Value(1)).order_by("-pk")[:size],
        keyword_filter(queryset, fields, keyword).filter(other).annotate(search_rank=Value(2)).order_by("-pk")[:size],
    ]


@dataclass(frozen=True)
class _Kind:
    """What the search reads of one kind: its model, the fields the keyword is looked for in (the
    first one ranks: an exact number / code, then its prefix), the columns each hit shows and
    whose rows the user may see (a visibility selector's reasons, None: every row)."""

    model: type
    fields: tuple[str, ...]
    columns: tuple[str, ...]
    visibility: Callable[[Any], list[Reason] | None]


def _who(user) -> tuple | None:
    """Everything a person's visibility statement is built from besides rows it reads as it runs:
    who he is, his role groups, department and regions (the reasons' shapes and the values written
    into them). None while a delegation reaches him: his inbox, one of the reasons, then holds
    someone else's tasks too, and his statement is built afresh."""
    if active_delegations_to(user):
        return None
    groups, regions = tuple(sorted(user_group_ids(user))), tuple(sorted(user_region_ids(user)))
    return (user.pk, user.is_superuser, user.department_id, groups, regions)


# Whether a person sees every row of a kind, none, or some, by what his reasons are built from.
_SCOPE: dict[tuple, str] = {}


def _read(key: tuple | None, build: Callable, keyword: str, ids=(), bounds=()) -> list[tuple]:
    """The rows of build(keyword, ids, bounds), through the statement kept under `key` (compiled
    once, with markers for those values) when it can be kept; else the queryset built with them."""
    statement = None
    if key is not None:
        statement = kept(key, lambda: build(statements.KEYWORD, [statements.IDS], statements.BOUNDS))
    if statement is not None:
        return statement.run(keyword=keyword, ids=ids, bounds=bounds)
    return [tuple(row) for row in build(keyword, ids, bounds)]


def _top(kind: _Kind, user, keyword: str, limit: int) -> list[tuple]:
    """The first `limit` matches the user may see, by rank then newest first, as rows of
    (pk, rank, *kind.columns), in at most three statements whatever the data size and however many
    rows match. The statements are kept compiled, per person where they hold his reasons
    (pmis/statements.py): a search builds none of its querysets again, and compiling them cost
    several times what PostgreSQL spends running them.

    Everything visible: the newest `limit` of each rank. Otherwise the newest few of each rank
    are read first (ids only) and each of those alone is asked whether the user may see it (one
    index lookup per reason, pmis/visibility.py). When a window was full and still holds fewer
    than `limit` he may see, the rest come from the rows he may see, each reason (his own, his
    inbox, his projects…) read as its own set, so a salesperson's handful leads rather than a
    walk through every match."""
    keyword = keyword.replace("\x00", "")
    model, fields, columns = kind.model, kind.fields, kind.columns
    who = _who(user)
    reasons = []  # built only when a statement is compiled, or for someone whose is not kept

    def visibility():
        if not reasons:
            reasons.append(kind.visibility(user))
        return reasons[0]

    scope = _SCOPE.get((model, who)) if who is not None else None
    if scope is None:
        seen = visibility()
        scope = "all" if seen is None else ("some" if seen else "none")
        if who is not None:
            if len(_SCOPE) >= statements.KEPT_MAX:
                _SCOPE.clear()
            _SCOPE[(model, who)] = scope
    if scope == "none":
        return []
    if scope == "all":

        def every(keyword, ids, bounds):
            parts = [
                q.values_list("pk", "search_rank", *columns) for q in _by_rank(model.objects, fields, keyword, limit)
            ]
            return union_all(parts)[:limit]

        rows = _read(("search-all", model, fields, columns, limit), every, keyword)
        return sorted(rows, key=lambda row: (row[1], -row[0]))[:limit]

    size = max(limit * WINDOW_PER_HIT, WINDOW_MIN)

    def window(keyword, ids, bounds):
        return union_all([q.values_list("pk", "search_rank") for q in _by_rank(model.objects, fields, keyword, size)])

    found = _read(("search-window", model, fields, size), window, keyword)
    if not found:
        return []
    mine = who is not None

    def seen(keyword, ids, bounds):
        rows = model.objects.filter(any_of(visibility(), "probe"), pk__in=ids)
        rows = rows.annotate(search_rank=_rank(fields[0], keyword)).order_by("search_rank", "-pk")
        return rows.values_list("pk", "search_rank", *columns)[:limit]

    probe_key = ("search-seen", model, fields, columns, limit, who) if mine else None
    rows = _read(probe_key, seen, keyword, ids=[pk for pk, _rank in found])
    # the matches the window left out: of each rank whose window was full, those older than it
    full, bounds = [], []
    for number in range(3):
        of_rank = [pk for pk, r in found if r == number]
        if len(of_rank) >= size:
            full.append(number)
            bounds.append(min(of_rank))
    if full and len(rows) < limit:

        def older(keyword, ids, bounds):
            conditions = _rank_conditions(fields[0], keyword)
            left_out = [conditions[number] & Q(pk__lt=bounds[i]) for i, number in enumerate(full)]
            rows = keyword_filter(model.objects.filter(any_of(visibility())), fields, keyword)
            rows = rows.filter(reduce(operator.or_, left_out)).annotate(search_rank=_rank(fields[0], keyword))
            return rows.order_by("search_rank", "-pk").values_list("pk", "search_rank", *columns)[:limit]

        older_key = ("search-older", model, fields, columns, limit, who, tuple(full)) if mine else None
        rows = [*rows, *_read(older_key, older, keyword, bounds=bounds)]
    return sorted(rows, key=lambda row: (row[1], -row[0]))[:limit]


def _state_labels(model) -> dict:
    """What get_state_display shows, looked up once for a kind's rows."""
    return dict(model._meta.get_field("state").flatchoices)


def normalise(keyword: str) -> str:
    return " ".join(keyword.replace("\x00", "").split())[: settings.PMIS_SEARCH_MAX_CHARS]


def registrations_matching(user, keyword: str) -> QuerySet:
    return _ranked(registrations_visible(user), REGISTRATION_FIELDS, keyword)


def projects_matching(user, keyword: str) -> QuerySet:
    return _ranked(projects_visible(user), PROJECT_FIELDS, keyword)


REGISTRATIONS = _Kind(
    Registration,
    REGISTRATION_FIELDS,
    ("number", "kind", "customer_short_name", "customer_name", "product_line", "state", "region__name"),
    registration_visibility,
)
PROJECTS = _Kind(
    Project, PROJECT_FIELDS, ("code", "name", "state", "region__name", "customer_name"), project_visibility
)
TICKETS = _Kind(Ticket, TICKET_FIELDS, ("number", "subject", "state", "project__name"), ticket_visibility)


def search_registrations(user, keyword: str, *, limit: int) -> list[Hit]:
    url = row_url("registrations:detail")  # Registration.get_absolute_url, reversed once for the rows
    states = _state_labels(Registration)
    return [
        Hit(
            "registration",
            f"{number or '（草稿）'} {registration_title(kind, short, name, line)}",
            " · ".join(x for x in (states.get(state, state), region or "", name) if x),
            url(pk),
        )
        for pk, _rank, number, kind, short, name, line, state, region in _top(REGISTRATIONS, user, keyword, limit)
    ]


def search_projects(user, keyword: str, *, limit: int) -> list[Hit]:
    url = row_url("projects:detail")  # Project.get_absolute_url
    states = _state_labels(Project)
    return [
        Hit("project", f"{code} {name}", f"{states.get(state, state)} · {region} · {customer}", url(pk))
        for pk, _rank, code, name, state, region, customer in _top(PROJECTS, user, keyword, limit)
    ]


def search_tickets(user, keyword: str, *, limit: int) -> list[Hit]:
    url = row_url("aftersales:ticket")  # Ticket.get_absolute_url
    states = _state_labels(Ticket)
    return [
        Hit("ticket", f"{number} {subject}", f"{states.get(state, state)} · {project}", url(pk))
        for pk, _rank, number, subject, state, project in _top(TICKETS, user, keyword, limit)
    ]


def _people(keyword, ids, bounds):
    people = _ranked(User.objects.filter(is_active=True), PERSON_FIELDS, keyword)
    return people.values_list("display_name", "username", "department__name", "region__name")


def search_people(user, keyword: str, *, limit: int) -> list[Hit]:
    """Colleagues: the directory is open to everyone signed in, so anyone active is found."""
    if not user.is_authenticated:
        return []
    rows = _read(("search-people", limit), lambda *values: _people(*values)[:limit], keyword.replace("\x00", ""))
    directory = reverse("org:directory")
    return [
        Hit(
            "person",
            f"{display_name or username}（{username}）",
            " · ".join(x for x in (department, region) if x) or "—",
            f"{directory}?{urlencode({'q': username})}",
        )
        for display_name, username, department, region in rows
    ]


def _articles(keyword, ids, bounds):
    from knowledge.models import Article

    return _ranked(Article.objects.all(), ARTICLE_FIELDS, keyword).values_list("pk", "number", "title", "solution")


def search_articles(user, keyword: str, *, limit: int) -> list[Hit]:
    """The knowledge base is open to everyone signed in (knowledge.selectors.articles_visible)."""
    if not user.is_authenticated:
        return []
    rows = _read(("search-articles", limit), lambda *values: _articles(*values)[:limit], keyword.replace("\x00", ""))
    url = row_url("knowledge:article")  # Article.get_absolute_url
    return [Hit("article", f"{number} {title}", solution[:60], url(pk)) for pk, number, title, solution in rows]


SEARCHES = (
    ("registration", search_registrations),
    ("project", search_projects),
    ("ticket", search_tickets),
    ("person", search_people),
    ("article", search_articles),
)


def search_everything(user, keyword: str, *, limit: int) -> list[dict]:
    """Groups of hits by kind (登记 / 项目 / 售后问题 / 人员), empty groups left out. A keyword
    shorter than PMIS_SEARCH_MIN_CHARS finds nothing (it would match most of the data)."""
    keyword = normalise(keyword)
    if len(keyword) < settings.PMIS_SEARCH_MIN_CHARS or not user.is_authenticated:
        return []
    groups = []
    for kind, search in SEARCHES:
        hits = search(user, keyword, limit=limit)
        if hits:
            groups.append({"kind": kind, "label": KIND_LABELS[kind], "hits": hits})
    return groups
