"""Find anything: registrations, projects, tickets and people matching a keyword, among what the
user may see. Each kind starts from its app's visibility selector, so the search box never shows
a record its page would refuse. One query per kind, whatever the data size; on PostgreSQL the
trigram indexes (migration 0001) serve the keyword match."""

import operator
from dataclasses import dataclass
from functools import reduce

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.http import urlencode

from aftersales.models import Ticket
from aftersales.selectors import ticket_visibility
from pmis.compound import union_all
from pmis.lists import keyword_filter, row_url
from pmis.org.models import User
from pmis.visibility import Reason, any_of
from projects.models import Project
from projects.selectors import project_visibility, projects_visible
from registrations.models import Registration
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


def _top(model, visibility: list[Reason] | None, fields: tuple[str, ...], keyword: str, limit: int, related=()) -> list:
    """The first `limit` matches the user may see, by rank then newest first, in at most two
    queries whatever the data size and however many rows match.

    Everything visible: the newest `limit` of each rank. Otherwise the newest few of each rank
    are read first (ids only) and each of those alone is asked whether the user may see it (one
    index lookup per reason, pmis/visibility.py). When a window was full and still holds fewer
    than `limit` he may see, the rest come from the rows he may see, each reason (his own, his
    inbox, his projects…) read as its own set, so a salesperson's handful leads rather than a
    walk through every match; PostgreSQL reads that part only when the first falls short."""
    keyword = keyword.replace("\x00", "")
    objects = model.objects.select_related(*related)
    if visibility is None:
        first, *others = _by_rank(objects, fields, keyword, limit)
        rows = list(union_all([first, *others])[:limit])
        return sorted(rows, key=lambda row: (row.search_rank, -row.pk))[:limit]
    if not visibility:
        return []
    size = max(limit * WINDOW_PER_HIT, WINDOW_MIN)
    first, *others = (q.values_list("pk", "search_rank") for q in _by_rank(model.objects.all(), fields, keyword, size))
    window = list(union_all([first, *others]))
    ids = [pk for pk, _rank in window]
    # the matches the window left out: of each rank whose window was full, those older than it
    left_out = []
    for number, condition in enumerate(_rank_conditions(fields[0], keyword)):
        of_rank = [pk for pk, r in window if r == number]
        if len(of_rank) >= size:
            left_out.append(condition & Q(pk__lt=min(of_rank)))
    rank = _rank(fields[0], keyword)
    rows = objects.filter(any_of(visibility, "probe"), pk__in=ids).annotate(search_rank=rank)
    rows = rows.order_by("search_rank", "-pk")[:limit]
    if left_out:
        older = keyword_filter(objects.filter(any_of(visibility)), fields, keyword)
        older = older.filter(reduce(operator.or_, left_out))
        older = older.annotate(search_rank=rank).order_by("search_rank", "-pk")[:limit]
        rows = union_all([rows, older])[:limit]
    return sorted(rows, key=lambda row: (row.search_rank, -row.pk))[:limit]


def _state_labels(model) -> dict:
    """What get_state_display shows, looked up once for a kind's rows."""
    return dict(model._meta.get_field("state").flatchoices)


def normalise(keyword: str) -> str:
    return " ".join(keyword.replace("\x00", "").split())[: settings.PMIS_SEARCH_MAX_CHARS]


def registrations_matching(user, keyword: str) -> QuerySet:
    return _ranked(registrations_visible(user), REGISTRATION_FIELDS, keyword)


def projects_matching(user, keyword: str) -> QuerySet:
    return _ranked(projects_visible(user), PROJECT_FIELDS, keyword)


def search_registrations(user, keyword: str, *, limit: int) -> list[Hit]:
    rows = _top(Registration, registration_visibility(user), REGISTRATION_FIELDS, keyword, limit, ["region"])
    url = row_url("registrations:detail")  # Registration.get_absolute_url, reversed once for the rows
    states = _state_labels(Registration)
    return [
        Hit(
            "registration",
            f"{r.number or '（草稿）'} {r.title}",
            " · ".join(x for x in (states.get(r.state, r.state), str(r.region or ""), r.customer_name) if x),
            url(r.pk),
        )
        for r in rows
    ]


def search_projects(user, keyword: str, *, limit: int) -> list[Hit]:
    rows = _top(Project, project_visibility(user), PROJECT_FIELDS, keyword, limit, ["region"])
    url = row_url("projects:detail")  # Project.get_absolute_url
    states = _state_labels(Project)
    return [
        Hit(
            "project",
            f"{p.code} {p.name}",
            f"{states.get(p.state, p.state)} · {p.region} · {p.customer_name}",
            url(p.pk),
        )
        for p in rows
    ]


def search_tickets(user, keyword: str, *, limit: int) -> list[Hit]:
    rows = _top(Ticket, ticket_visibility(user), TICKET_FIELDS, keyword, limit, ["project"])
    url = row_url("aftersales:ticket")  # Ticket.get_absolute_url
    states = _state_labels(Ticket)
    return [
        Hit("ticket", f"{t.number} {t.subject}", f"{states.get(t.state, t.state)} · {t.project.name}", url(t.pk))
        for t in rows
    ]


def search_people(user, keyword: str, *, limit: int) -> list[Hit]:
    """Colleagues: the directory is open to everyone signed in, so anyone active is found."""
    if not user.is_authenticated:
        return []
    people = User.objects.filter(is_active=True)
    rows = _ranked(people, PERSON_FIELDS, keyword).select_related("department", "region")[:limit]
    directory = reverse("org:directory")
    return [
        Hit(
            "person",
            f"{u.display_name or u.username}（{u.username}）",
            " · ".join(str(x) for x in (u.department, u.region) if x) or "—",
            f"{directory}?{urlencode({'q': u.username})}",
        )
        for u in rows
    ]


def search_articles(user, keyword: str, *, limit: int) -> list[Hit]:
    from knowledge.selectors import articles_visible

    rows = _ranked(articles_visible(user), ARTICLE_FIELDS, keyword)[:limit]
    url = row_url("knowledge:article")  # Article.get_absolute_url
    return [Hit("article", f"{a.number} {a.title}", a.solution[:60], url(a.pk)) for a in rows]


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
