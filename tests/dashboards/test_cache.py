"""Cards keep their counted figures between views: the same figures a count from scratch gives,
labelled with when they were counted, recounted in the background once the 看板数据刷新周期
runs out (or by the beat task just before), and never one person's inbox shown to another."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache

from dashboards import cache as card_cache
from dashboards.cards import CARDS
from dashboards.tasks import card_recount, cards_refresh
from pmis.worktime.models import SlaPolicy
from projects.models import State

pytestmark = pytest.mark.django_db

DIRECTOR_CARDS = {"pipeline", "stuck", "weekly", "handovers", "health", "satisfaction"}


@pytest.fixture
def queued(monkeypatch):
    """The recounts a view queues, instead of sending them to the broker."""
    calls = []
    monkeypatch.setattr(card_recount, "delay", lambda *args: calls.append(args))
    return calls


def _in_delivery(client) -> int:
    html = client.get("/").content.decode()
    card = html[html.index('id="dash-pipeline"') : html.index('id="dash-stuck"')]
    return int(re.search(r'figure-value">(\d+)</span><span class="figure-label">在途项目', card).group(1))


def _updated(client, code: str) -> str:
    html = client.get("/").content.decode()
    card = html[html.index(f'id="dash-{code}"') :]
    return re.search(r"更新于 ([\d:\- ]+)</span>", card).group(1)


def test_a_kept_card_shows_what_a_count_from_scratch_shows(client, org, build, now):
    for state in (State.REQUIREMENTS, State.TRIAL_RUN, State.IMPLEMENTING):
        build.project(state, entered=now - timedelta(days=40))
    director = org["project_director"]
    client.force_login(director)
    client.get("/")
    with time_machine.travel(now + timedelta(minutes=3), tick=False):
        html = client.get("/").content.decode()  # read from the cache
    shown = [card for card in CARDS if card.code in DIRECTOR_CARDS]
    assert len(shown) == len(DIRECTOR_CARDS)
    for card in shown:
        assert cache.get(card_cache.entry_key(card, "role")) is not None
        assert card_cache.draw(card, card.build(director), "15:00") in html, card.code
    assert _in_delivery(client) == 3
    assert "更新于 15:00" in html


def test_kept_figures_last_the_refresh_period_then_a_background_recount_brings_the_new_ones(
    client, org, build, now, queued
):
    build.project(State.REQUIREMENTS)
    client.force_login(org["project_director"])
    assert _in_delivery(client) == 1
    build.project(State.REQUIREMENTS)
    with time_machine.travel(now + timedelta(minutes=4), tick=False):
        assert _in_delivery(client) == 1  # still fresh: the kept figure, labelled when it was counted
        assert _updated(client, "pipeline") == "15:00"
        assert queued == []
    with time_machine.travel(now + timedelta(minutes=6), tick=False):
        assert _in_delivery(client) == 1  # stale: shown while it is recounted, queued once only
        assert _in_delivery(client) == 1
        assert sorted(code for code, _, _ in queued) == sorted(DIRECTOR_CARDS)
        for args in queued:
            assert card_recount(*args)
        assert _in_delivery(client) == 2
        assert _updated(client, "pipeline") == "15:06"


def test_the_refresh_period_is_a_policy_the_admin_edits(client, org, build, now, queued):
    SlaPolicy.objects.filter(code=card_cache.LIFETIME_POLICY).update(duration_minutes=30)
    client.force_login(org["project_director"])
    assert _in_delivery(client) == 0
    build.project(State.REQUIREMENTS)
    with time_machine.travel(now + timedelta(minutes=20), tick=False):
        assert _in_delivery(client) == 0
        assert queued == []
    with time_machine.travel(now + timedelta(minutes=31), tick=False):
        _in_delivery(client)
        assert len(queued) == len(DIRECTOR_CARDS)


def test_the_beat_recounts_cards_viewed_lately_before_they_go_stale_and_forgets_the_others(
    client, org, build, now, settings, queued
):
    client.force_login(org["project_director"])
    assert _in_delivery(client) == 0
    build.project(State.REQUIREMENTS)
    with time_machine.travel(now + timedelta(minutes=2), tick=False):
        assert cards_refresh() == 0  # fresh for three more minutes
    with time_machine.travel(now + timedelta(minutes=4, seconds=30), tick=False):
        assert cards_refresh() == len(DIRECTOR_CARDS)
        assert _in_delivery(client) == 1
        assert _updated(client, "pipeline") == "15:04"
    assert queued == []  # nobody saw a stale card
    later = now + timedelta(seconds=settings.PMIS_DASHBOARD_CARD_KEEP + 60)
    with time_machine.travel(later, tick=False):
        assert cards_refresh() == 0  # not viewed (counted for a viewer) since: forgotten
        assert cache.get(card_cache.REGISTRY_KEY) == {}


def test_an_inbox_card_is_kept_per_person_and_dropped_when_the_role_goes(client, org, now):
    for username in ("special_approver", "special_approver_south"):
        client.force_login(org[username])
        client.get("/")
    special = next(card for card in CARDS if card.code == "special")
    leader = org["special_approver"]
    assert cache.get(card_cache.entry_key(special, f"user-{leader.pk}")) is not None
    assert cache.get(card_cache.entry_key(special, f"user-{org['special_approver_south'].pk}")) is not None
    assert cache.get(card_cache.entry_key(special, "role")) is None
    leader.groups.remove(*leader.groups.filter(name="special_approver"))
    assert not card_recount("special", f"user-{leader.pk}", leader.pk)
    assert cache.get(card_cache.entry_key(special, f"user-{leader.pk}")) is None
