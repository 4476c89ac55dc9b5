"""Cards kept between views of the 工作台.

A steering card aggregates thousands of rows (every active project's plan, every open ticket,
a whole inbox): too much to recount on each view. Each card is kept in the cache, counted and
drawn (its partial depends on its figures alone, not on the request), under its code and its
scope — "role" when everyone holding the card's role sees the same figures, or the viewer's own id
when the card counts his inbox — with the time it was counted, which the card shows as
更新于 HH:MM. It is fresh for the 看板数据刷新周期 policy (an admin edits it); after
that a viewer still sees the kept figures while a background task recounts them, and the beat
task (`dashboards.cards_refresh`) recounts every card viewed lately before it goes stale, so
nobody waits for the count. Only a card never counted (or not viewed for PMIS_DASHBOARD_CARD_KEEP
seconds) is counted while its viewer waits."""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

LIFETIME_POLICY = "dashboard-card-refresh"
REGISTRY_KEY = "dashboards:card-scopes"
ENTRY_KEY = "dashboards:card:v2:{code}:{scope}"  # the version changes when what is kept does
LOCK_KEY = "dashboards:card-refreshing:{code}:{scope}"
# where a drawn card says when it was counted: filled in when shown, as HH:MM today, else with the date
COUNTED_MARK = "\x00counted\x00"


def lifetime() -> timedelta:
    """How long counted figures stay fresh: the 看板数据刷新周期 policy (natural time), or
    PMIS_DASHBOARD_CACHE_SECONDS before the policy is seeded."""
    from pmis import reference

    policy = reference.policy(LIFETIME_POLICY)
    minutes = policy.duration_minutes if policy else None
    return timedelta(minutes=minutes) if minutes else timedelta(seconds=settings.PMIS_DASHBOARD_CACHE_SECONDS)


def scope_of(card, user) -> str:
    if card.scope == "projects":  # whoever may open every project counts the same
        from projects.selectors import EVERY_PROJECT, visible_project_ids_sql

        return "role" if visible_project_ids_sql(user) == EVERY_PROJECT else f"user-{user.pk}"
    return "role" if card.scope == "role" else f"user-{user.pk}"


def entry_key(card, scope: str) -> str:
    return ENTRY_KEY.format(code=card.code, scope=scope)


def draw(card, figures: dict, counted_label: str) -> str:
    return render_to_string(card.template, {"card": {"title": card.title, **figures, "counted_label": counted_label}})


def count(card, user, scope: str) -> dict:
    """Count and draw the card now, and keep it."""
    now = timezone.now()
    entry = {"html": draw(card, card.build(user), COUNTED_MARK), "counted_at": now, "fresh_until": now + lifetime()}
    cache.set(entry_key(card, scope), entry, settings.PMIS_DASHBOARD_CARD_KEEP)
    return entry


def _viewed(seen: list, user, now) -> None:
    """Remember that these scopes' cards are viewed, and by whom they can be counted, so the beat
    task keeps them fresh. Written when a view had to count or queue a recount, not on every view."""
    registry = cache.get(REGISTRY_KEY) or {}
    for card, scope in seen:
        registry[(card.code, scope)] = (user.pk, now)
    cache.set(REGISTRY_KEY, registry, None)


def _lock_key(card, scope: str) -> str:
    return LOCK_KEY.format(code=card.code, scope=scope)


def _queue_recount(card, user, scope: str) -> bool:
    if not cache.add(_lock_key(card, scope), True, settings.PMIS_DASHBOARD_CARD_LOCK_SECONDS):
        return False  # another view queued it first
    from .tasks import card_recount

    card_recount.delay(card.code, scope, user.pk)
    return True


def filled(cards, user) -> list[dict]:
    """The cards drawn for this user: kept ones when there are any (a stale one is recounted in
    the background, queued once), counted now otherwise. One cache read for all of them and for
    whether their recounts are already queued."""
    scopes = [(card, scope_of(card, user)) for card in cards]
    kept = cache.get_many([key for card, scope in scopes for key in (entry_key(card, scope), _lock_key(card, scope))])
    now = timezone.now()
    shown, seen = [], []
    for card, scope in scopes:
        entry = kept.get(entry_key(card, scope))
        if entry is None:
            entry = count(card, user, scope)
            seen.append((card, scope))
        elif entry["fresh_until"] <= now and _lock_key(card, scope) not in kept and _queue_recount(card, user, scope):
            seen.append((card, scope))
        shown.append(
            {
                "code": card.code,
                "counted_at": entry["counted_at"],
                "html": mark_safe(entry["html"].replace(COUNTED_MARK, _when(entry, now))),  # our own partial
            }
        )
    if seen:
        _viewed(seen, user, now)
    return shown


def _when(entry, now) -> str:
    counted = timezone.localtime(entry["counted_at"])
    return f"{counted:%H:%M}" if counted.date() == timezone.localtime(now).date() else f"{counted:%m-%d %H:%M}"


def recount(code: str, scope: str, user_id: int) -> bool:
    """Count one card again for a scope (the background task); False when the card or the viewer
    is gone or no longer holds the card's role (the kept figures are then dropped)."""
    from pmis.org.models import User

    from .cards import CARDS

    card = next((c for c in CARDS if c.code == code), None)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    try:
        if card is None or user is None or not card.may_view(user):
            if card is not None:
                cache.delete(entry_key(card, scope))
            return False
        count(card, user, scope)
        return True
    finally:
        if card is not None:
            cache.delete(_lock_key(card, scope))


def forget(code: str) -> None:
    """Drop a card's kept figures in every scope, once the change that moved them is committed:
    the next viewer counts them (a survey answered shows in the averages at once)."""
    registry = cache.get(REGISTRY_KEY) or {}
    scopes = {"role"} | {scope for card_code, scope in registry if card_code == code}
    keys = [ENTRY_KEY.format(code=code, scope=scope) for scope in scopes]
    transaction.on_commit(lambda: cache.delete_many(keys))


def refresh_due(*, now=None) -> int:
    """The beat task: recount every kept card that goes stale within the next minute and was
    viewed (counted or recounted for a viewer) within PMIS_DASHBOARD_CARD_KEEP; forget the
    others, whose next viewer sees the kept figures once while they are recounted. Returns how
    many were recounted."""
    now = now or timezone.now()
    registry = cache.get(REGISTRY_KEY) or {}
    keep = timedelta(seconds=settings.PMIS_DASHBOARD_CARD_KEEP)
    from .cards import CARDS

    by_code = {card.code: card for card in CARDS}
    recounted, forgotten = 0, []
    for (code, scope), (user_id, registered_at) in registry.items():
        card = by_code.get(code)
        entry = cache.get(entry_key(card, scope)) if card else None
        if card is None or entry is None or registered_at + keep <= now:
            forgotten.append((code, scope))
            continue
        if entry["fresh_until"] <= now + timedelta(minutes=1):
            recounted += recount(code, scope, user_id)
    if forgotten:
        registry = cache.get(REGISTRY_KEY) or {}
        for key in forgotten:
            registry.pop(key, None)
        cache.set(REGISTRY_KEY, registry, None)
    return recounted
