"""The dashboards on the 工作台: who sees which card, what a card shows besides its chart, and
the page's query count as the data grows."""

from datetime import timedelta

import pytest
from django.core.cache import cache

from aftersales.models import Handover
from approvals.services import task_open
from dashboards.cards import CARDS
from projects.models import Project, State
from registrations.models import Kind
from registrations.services import registration_decide, registration_submit
from tests.conftest import CHECKED
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db

STEERING = {
    "project_director": {"pipeline", "stuck", "weekly", "handovers", "health", "satisfaction"},
    "special_approver": {"special"},
    "business_approver": {"business_queue", "outsourcing"},
    "aftersales_manager": {"sla_trend", "open_tickets", "breaches"},
    "cs_head": {"cs_handovers", "saas"},
}
ALL_CARDS = {card.code for card in CARDS}


def _cards_on(client, user) -> set[str]:
    client.force_login(user)
    html = client.get("/").content.decode()
    return {code for code in ALL_CARDS if f'id="dash-{code}"' in html}


def test_each_steering_role_sees_its_own_dashboards_and_no_one_elses(client, org):
    for username, cards in STEERING.items():
        assert _cards_on(client, org[username]) == cards, username
    for username in ("sales", "regional_pm", "implementer", "aftersales", "cs_staff", "sales_manager", "admin"):
        assert _cards_on(client, org[username]) == set(), username


def test_a_leader_sees_only_the_special_approvals_of_their_region(client, org, make_registration):
    for owner, manager, province in (
        (org["sales"], org["sales_manager"], "北京"),
        (org["sales2"], org["sales_manager2"], "广东"),
    ):
        r = make_registration(Kind.SAAS, owner=owner, province=province, signed=True, paid=False)
        r = registration_submit(registration=r, actor=owner)
        registration_decide(registration=r, actor=manager, decision="approve")
    client.force_login(org["special_approver"])
    html = client.get("/").content.decode()
    assert org["sales"].display_name in html and org["sales2"].display_name not in html
    client.force_login(org["special_approver_south"])
    html = client.get("/").content.decode()
    assert org["sales2"].display_name in html and org["sales"].display_name not in html


def test_a_card_has_its_figures_linked_a_data_table_and_its_formula(client, org, build):
    build.project(State.REQUIREMENTS)
    client.force_login(org["project_director"])
    html = client.get("/").content.decode()
    card = html[html.index('id="dash-pipeline"') : html.index('id="dash-stuck"')]
    assert 'data-spec="chart-pipeline-spec"' in card and 'id="chart-pipeline-spec"' in card
    assert '<details class="chart-data" open>' in card  # readable without the script
    assert 'href="/projects/all/?state=requirements&amp;region=' in card
    assert "口径：" in card
    # the chart library comes from our own static files, never from a CDN
    assert '<script src="/static/vendor/echarts/echarts.min.js" defer>' in html
    assert "cdn" not in html.lower()


def _grow(org, build, make_registration, n, now):
    """n more of everything the dashboards count."""
    sales, business = org["sales"], org["business_approver"]
    monday = now.date() - timedelta(days=now.weekday())
    for i in range(n):
        for state in (State.REQUIREMENTS, State.TRIAL_RUN, State.ACCEPTANCE, State.IMPLEMENTING):
            project = build.project(state, entered=now - timedelta(days=40), region=("north", "south")[i % 2])
            build.report(project, monday)
        saas = build.project(State.MAINTENANCE, kind=Project.Kind.SAAS)
        handover = build.handover(saas, Handover.State.PENDING_CS_HEAD, route=Handover.Route.CUSTOMER_SUCCESS)
        task_open(subject=handover, step="handover.cs_head", step_label="审批", title="移交", link="/", group="cs_head")
        build.handover(saas, Handover.State.ACCEPTED, route=Handover.Route.CUSTOMER_SUCCESS, decided=now)
        build.ticket(saas, reported=now - timedelta(days=i * 31), assignee=org["aftersales"])
        build.ticket(saas, reported=now, resolved=now, met=bool(i % 2), assignee=org["aftersales"])
        r = make_registration(Kind.SAAS, signed=bool(i % 2), paid=False)
        r = registration_submit(registration=r, actor=sales)
        registration_decide(registration=r, actor=org["sales_manager"], decision="approve")
        r = registration_submit(registration=make_registration(Kind.LOCAL), actor=sales)
        registration_decide(
            registration=r, actor=business, decision="approve", review={**CHECKED, "outsourcing_needed": True}
        )


def test_the_dashboards_keep_their_query_count_as_the_data_grows(client, org, build, make_registration, now):
    def counts():
        """Per role: the queries of a view that counts its cards, then of one that reads them kept."""
        result = {}
        for username in STEERING:
            client.force_login(org[username])
            client.get("/")
            cache.clear()
            result[username] = (count_queries(lambda: client.get("/")), count_queries(lambda: client.get("/")))
            assert result[username][1] < result[username][0]
        return result

    _grow(org, build, make_registration, 1, now)
    small = counts()
    _grow(org, build, make_registration, 4, now)
    assert counts() == small
