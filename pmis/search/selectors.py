"""Find anything: registrations, projects, tickets and people matching a keyword, among what the
user may see. Each kind starts from its app's visibility selector, so the search box never shows
a record its page would refuse. One query per kind, whatever the data size; on PostgreSQL the
trigram indexes (migration 0001) serve the keyword match."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils.http import urlencode

from aftersales.selectors import tickets_visible
from pmis.lists import keyword_filter
from pmis.org.models import User
from projects.selectors import projects_visible
from registrations.selectors import registrations_visible

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
    """Matches first by an exact number / code, then by its prefix, then the newest rows. The
    order is an expression, so PostgreSQL reads the trigram indexes rather than walking a
    sorted index row by row."""
    key = fields[0]
    keyword = keyword.replace("\x00", "")
    rank = Case(
        When(Q(**{f"{key}__iexact": keyword}), then=Value(0)),
        When(Q(**{f"{key}__istartswith": keyword}), then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return keyword_filter(queryset, fields, keyword).annotate(search_rank=rank).order_by("search_rank", "-pk")


def normalise(keyword: str) -> str:
    return " ".join(keyword.replace("\x00", "").split())[: settings.PMIS_SEARCH_MAX_CHARS]


def registrations_matching(user, keyword: str) -> QuerySet:
    return _ranked(registrations_visible(user), REGISTRATION_FIELDS, keyword)


def projects_matching(user, keyword: str) -> QuerySet:
    return _ranked(projects_visible(user), PROJECT_FIELDS, keyword)


def search_registrations(user, keyword: str, *, limit: int) -> list[Hit]:
    rows = registrations_matching(user, keyword).select_related("region")[:limit]
    return [
        Hit(
            "registration",
            f"{r.number or '（草稿）'} {r.title}",
            " · ".join(x for x in (r.get_state_display(), str(r.region or ""), r.customer_name) if x),
            r.get_absolute_url(),
        )
        for r in rows
    ]


def search_projects(user, keyword: str, *, limit: int) -> list[Hit]:
    rows = projects_matching(user, keyword).select_related("region")[:limit]
    return [
        Hit(
            "project",
            f"{p.code} {p.name}",
            f"{p.get_state_display()} · {p.region} · {p.customer_name}",
            p.get_absolute_url(),
        )
        for p in rows
    ]


def search_tickets(user, keyword: str, *, limit: int) -> list[Hit]:
    rows = _ranked(tickets_visible(user), TICKET_FIELDS, keyword).select_related("project")[:limit]
    return [
        Hit("ticket", f"{t.number} {t.subject}", f"{t.get_state_display()} · {t.project.name}", t.get_absolute_url())
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
    return [Hit("article", f"{a.number} {a.title}", a.solution[:60], a.get_absolute_url()) for a in rows]


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
