"""The search box at 100 000 registrations on PostgreSQL: the trigram indexes answer it, its
query count does not grow with the data, and nobody finds a registration they may not see."""

import time

import pytest
from django.db import connection
from django.utils import timezone

from aftersales.models import Ticket
from pmis.org.models import Region, User
from pmis.search.selectors import WINDOW_MIN, registrations_matching, search_everything
from projects.models import Project
from registrations.models import Registration
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db

REGISTRATIONS = 100_000
PROJECTS = 2_000  # the other kinds share the same queries; the registrations carry the scale
TICKETS = 2_000


def _bulk(org):
    north = Region.objects.get(code="north")
    owner = User.objects.create(username="scale_owner", display_name="规模销售", region=north, password="!")
    owner.groups.add(*org["sales"].groups.all())
    now = timezone.now()
    rows = (
        Registration(
            kind="local",
            state="pending_business",
            number=f"SC2026-{i:06d}",
            owner=owner,
            region=north,
            customer_name=f"规模客户{i}有限公司",
            customer_short_name=f"规模客户{i}",
            contract_number=f"HT-SC-{i:06d}",
            submitted_at=now,
        )
        for i in range(REGISTRATIONS)
    )
    Registration.objects.bulk_create(rows, batch_size=5000)
    Project.objects.bulk_create(
        (
            Project(
                code=f"SCP-{i:06d}", name=f"规模客户{i}电子签章项目", kind="local", customer_name=f"规模客户{i}",
                region=north,
            )
            for i in range(PROJECTS)
        ),
        batch_size=5000,
    )  # fmt: skip
    project = Project.objects.get(code="SCP-000000")
    Ticket.objects.bulk_create(
        (
            Ticket(
                number=f"SCT-{i:06d}", project=project, subject=f"规模问题{i}", reporting_unit="信息中心",
                reporter="张工", reported_at=now, description="描述", channel="phone", created_by=org["aftersales"],
            )
            for i in range(TICKETS)
        ),
        batch_size=5000,
    )  # fmt: skip
    # every table the visibility query reads (tasks, groups, object permissions…): statistics left
    # by earlier tests (rows committed and flushed) must not steer the planner off the trigram index
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return owner


def _plan(queryset) -> str:
    """The plan PostgreSQL picks between the indexes and a plain scan. Parallel plans are left out:
    on a 2-core test box their costing flips with what earlier tests left in the statistics, and
    the question here is whether the trigram index answers the keyword, not how many workers the
    alternative would get."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
def test_search_at_100000_registrations(org, make_registration):
    mine = make_registration()
    director, sales, sales2 = org["project_director"], org["sales"], org["sales2"]
    # a match of each kind before the bulk rows too, so both sizes ask the same questions
    small_match = make_registration(owner=director)
    Registration.objects.filter(pk=small_match.pk).update(customer_name="规模客户7（小）有限公司")
    Project.objects.create(
        code="SCP-SMALL", name="规模客户7（小）电子签章项目", kind="local", customer_name="规模客户7（小）",
        region=Region.objects.get(code="north"),
    )  # fmt: skip
    # a full window of matches at the small size too (none of them the searchers'), so that both
    # sizes read the matches older than the window, as a broad keyword does
    other = User.objects.create(username="window_owner", display_name="别的销售", password="!")
    Registration.objects.bulk_create(
        Registration(kind="local", number=f"SW2026-{i:04d}", owner=other, region=sales2.region,
                     customer_name=f"规模客户7窗口{i}", state="draft")
        for i in range(WINDOW_MIN)
    )  # fmt: skip
    Project.objects.bulk_create(
        Project(code=f"SWP-{i:04d}", name=f"规模客户7窗口{i}", kind="local", customer_name="窗口", region=sales2.region)
        for i in range(WINDOW_MIN)
    )  # fmt: skip
    for user in (sales, director):
        search_everything(user, "规模客户7", limit=5)  # the user's roles and regions, read once per request
    small = {
        u.username: count_queries(lambda u=u: search_everything(u, "规模客户7", limit=5)) for u in (sales, director)
    }

    owner = _bulk(org)
    assert Registration.objects.count() > REGISTRATIONS

    # the same number of queries whatever the data size
    for user in (sales, director):
        search_everything(user, "规模客户7", limit=5)
        assert count_queries(lambda u=user: search_everything(u, "规模客户7", limit=5)) == small[user.username]

    # the trigram indexes answer a rare keyword
    rare = "SC2026-098765"
    plan = _plan(registrations_matching(owner, rare)[:5])
    assert "search_reg_" in plan, plan
    started = time.perf_counter()
    groups = search_everything(owner, rare, limit=5)
    elapsed = time.perf_counter() - started
    assert groups[0]["hits"][0].title.startswith(rare)
    assert elapsed < 1.0, elapsed  # a sequential scan of 100 000 rows per column would not be

    # nobody finds a registration that is not theirs to see
    assert search_everything(sales, rare, limit=5) == []
    assert search_everything(sales2, "规模客户", limit=5) == [] or all(
        g["kind"] != "registration" for g in search_everything(sales2, "规模客户", limit=5)
    )
    own = [g for g in search_everything(sales, mine.customer_short_name, limit=50) if g["kind"] == "registration"]
    assert own and all("某某地铁" in hit.title for hit in own[0]["hits"])
    assert not any(g["kind"] == "registration" for g in search_everything(sales2, mine.customer_short_name, limit=5))
