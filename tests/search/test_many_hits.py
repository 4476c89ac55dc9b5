"""A keyword that matches many rows: the search reads the newest matches of each rank and asks
whether the user may see each, so a broad keyword costs what a rare one does — and still shows a
person only what is his to see, however many rows he may not see match first."""

import pytest
from django.urls import reverse
from django.utils import timezone

from pmis.org.models import Region
from pmis.search.selectors import WINDOW_MIN, search_everything
from registrations.models import Registration
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


def _bulk(owner, count: int, start: int = 0):
    north = Region.objects.get(code="north")
    Registration.objects.bulk_create(
        Registration(
            kind="local", state="pending_business", number=f"PL2026-{i:05d}", owner=owner, region=north,
            customer_name=f"批量测试客户{i}有限公司", customer_short_name=f"批量测试客户{i}",
            submitted_at=timezone.now(),
        )
        for i in range(start, start + count)
    )  # fmt: skip


def _registrations(user, keyword: str, limit: int) -> list[str]:
    groups = {g["kind"]: g for g in search_everything(user, keyword, limit=limit)}
    return [hit.title.split()[0] for hit in groups["registration"]["hits"]] if "registration" in groups else []


def test_a_salesperson_finds_his_own_behind_more_matches_than_the_search_reads_first(org):
    sales, sales2 = org["sales"], org["sales2"]
    _bulk(sales, 3)  # his, the oldest
    _bulk(sales2, WINDOW_MIN * 2, start=3)  # newer, not his

    assert _registrations(sales, "批量测试客户", 5) == ["PL2026-00002", "PL2026-00001", "PL2026-00000"]
    newest = [f"PL2026-{i:05d}" for i in range(WINDOW_MIN * 2 + 2, WINDOW_MIN * 2 - 3, -1)]
    assert _registrations(sales2, "批量测试客户", 5) == newest
    assert _registrations(org["presales"], "批量测试客户", 5) == []


def test_an_exact_number_comes_first_however_many_rows_match(org):
    _bulk(org["sales"], WINDOW_MIN * 2)
    assert _registrations(org["sales"], "PL2026-00007", 5) == ["PL2026-00007"]
    hits = _registrations(org["sales"], "PL2026-0000", 5)
    assert hits == ["PL2026-00009", "PL2026-00008", "PL2026-00007", "PL2026-00006", "PL2026-00005"]
    # a superuser sees everything: the same order without asking about each row
    admin = org["sales"].__class__.objects.create(username="root", is_superuser=True, password="!")
    assert _registrations(admin, "PL2026-00007", 5) == ["PL2026-00007"]
    assert _registrations(admin, "批量测试客户1", 3) == ["PL2026-00199", "PL2026-00198", "PL2026-00197"]


def test_the_results_page_bounds_its_count_and_its_queries(client, org, settings):
    settings.PMIS_SEARCH_RESULTS_LIMIT = 10
    client.force_login(org["sales"])
    url = reverse("search:results") + "?q=批量测试客户"
    _bulk(org["sales"], 12)
    client.get(url)
    few = count_queries(lambda: client.get(url))
    _bulk(org["sales"], WINDOW_MIN * 3, start=12)
    client.get(url)
    many = count_queries(lambda: client.get(url))
    assert many == few
    page = client.get(url).content.decode()
    assert "（10+，请输入更多关键字缩小范围）" in page
    assert page.count("PL2026-") == 10
