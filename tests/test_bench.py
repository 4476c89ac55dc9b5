"""`make bench` (scripts/bench.py) without running it: its page list covers every side-bar entry of
every role and every project workspace tab, so a new page cannot be left out; the floor page is
there only under the bench's URLconf; and bench.json carries the documented keys."""

import importlib.util
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import Resolver404, resolve

from pmis.audit.models import AuditEntry
from pmis.navigation import nav_for
from pmis.org.demo import DEMO_USERS
from projects import workspace
from tests.helpers import count_queries

ROOT = Path(__file__).resolve().parent.parent

# The keys bench.json promises (README, Scale).
TOP_KEYS = {
    "pages",
    "floor_rps",
    "bare_rps",
    "sweep_s",
    "sweep_due",
    "sweep_minute_s",
    "pdf_first_s",
    "pdf_cached_s",
}
PAGE_KEYS = {
    "label",
    "role",
    "path",
    "queries_small",
    "queries_full",
    "rps_small",
    "rps_full",
    "p50_ms",
    "p95_ms",
    "ratio_floor",
    "ratio_bare",
}


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_under_test", ROOT / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _site_paths(bench) -> dict[str, set[str]]:
    """Each plain (non-workspace) path the bench opens, with the demo users it opens it as."""
    paths: dict[str, set[str]] = {}
    for _label, user, path in bench.PAGES:
        if not bench.is_workspace(path):
            paths.setdefault(urlsplit(path).path, set()).add(user)
    return paths


@pytest.mark.django_db
def test_the_bench_opens_every_side_bar_entry_of_every_role(bench, demo):
    benched = _site_paths(bench)
    missing = set()
    for spec in DEMO_USERS:
        for section in nav_for(demo[spec.username]):
            for item in section["items"]:
                if item["url"] not in benched:
                    missing.add(f"{section['title']} › {item['label']}（{item['url']}，{spec.role}）")
    assert not missing, "scripts/bench.py 的 PAGES 缺少侧栏页面：\n" + "\n".join(sorted(missing))


@pytest.mark.django_db
def test_each_side_bar_page_is_benched_as_someone_whose_side_bar_has_it(bench, demo):
    """A page measured as a user who may not open it would measure a refusal, not the page."""
    side_bar = {
        spec.username: {item["url"] for section in nav_for(demo[spec.username]) for item in section["items"]}
        for spec in DEMO_USERS
    }
    on_a_side_bar = set().union(*side_bar.values())
    wrong = [
        f"{path}（{user}）"
        for path, users in _site_paths(bench).items()
        for user in users
        if path in on_a_side_bar and path not in side_bar[user]
    ]
    assert not wrong


def test_the_bench_opens_every_workspace_tab(bench):
    registered = {tab.slug for tab in workspace._TABS.values()}
    assert {"overview", "plan", "changes", "incidents", "meetings"} <= registered
    benched = {path.split(":", 1)[1] for _l, _u, path in bench.PAGES if path.startswith("PROJECT:")}
    if any(path == "PROJECT" for _l, _u, path in bench.PAGES):
        benched.add(workspace.OVERVIEW)
    assert registered - benched == set()


def test_every_bench_user_is_a_demo_account_and_every_label_is_unique(bench):
    usernames = {spec.username for spec in DEMO_USERS}
    assert {user for _l, user, _p in bench.PAGES} | {bench.FLOOR_USER} <= usernames
    labels = [label for label, _u, _p in bench.PAGES]
    assert len(labels) == len(set(labels))


def test_the_workspace_has_its_own_lower_target(bench):
    assert bench.target("PROJECT:plan") == bench.target("PROJECT") == 0.3
    assert bench.target("/approvals/inbox/") == 0.5


def test_the_floor_page_is_not_on_the_site():
    with pytest.raises(Resolver404):
        resolve("/bench/floor/")


@pytest.mark.django_db
def test_the_floor_page_under_the_bench_urlconf(client, demo, settings):
    settings.ROOT_URLCONF = "pmis.bench_urls"
    anonymous = client.get("/bench/floor/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    user = demo["project_director"]
    subject = ContentType.objects.get_for_model(user)
    AuditEntry.objects.bulk_create(
        AuditEntry(content_type=subject, object_id=user.pk, action="bench.row", action_label=f"第{n}行")
        for n in range(30)
    )
    client.force_login(user)
    response = client.get("/bench/floor/")
    assert response.status_code == 200
    # the session, the signed-in user and the 25 rows: none of the layout's queries
    assert count_queries(lambda: client.get("/bench/floor/")) == 3
    body = response.content.decode()
    assert body.count("<tr>") == 26  # the heading row and the 25 newest
    assert "第29行" in body and "第5行" in body and "第4行" not in body
    # the site's pages are all still there under the bench's URLconf
    assert client.get("/approvals/inbox/").status_code == 200


def _fake_run(bench, rps: dict[str, float]) -> dict:
    def row(value):
        return {"rps": value, "p50": 40_000, "p95": 90_000, "errors": 0, "queries": 9}

    rows = {}
    for label, _user, _path in bench.PAGES:
        result = row(rps.get(label, 150.0))
        result["ratio_floor"] = result["rps"] / 200
        result["ratio_bare"] = result["rps"] / 2000
        rows[label] = result
    paths = {
        label: bench.page_path(path) if not bench.is_workspace(path) else "/projects/1/"
        for label, _u, path in bench.PAGES
    }
    floor = {**row(200.0), "queries": 3}
    return {"rows": rows, "paths": paths, "floor": floor, "bare": row(2000.0)}


def test_bench_json_has_the_documented_keys(bench, tmp_path):
    workspace_label = next(label for label, _u, path in bench.PAGES if path == "PROJECT:plan")
    daily_label = "我的待办"
    full = _fake_run(bench, {workspace_label: 50.0, daily_label: 90.0})  # 0.25× and 0.45× the floor
    extra = {
        "sweep_s": 3.2,
        "sweep_due": 20000,
        "sweep_minute_s": 0.04,
        "sweep_minute_open": 1_000_000,
        "pdf_first_s": 0.4,
        "pdf_cached_s": 0.01,
    }
    data = bench.results(_fake_run(bench, {}), full, extra)
    bench.write(data, bench.markdown(data, "规模 0"), folder=tmp_path)

    written = json.loads((tmp_path / "bench.json").read_text())
    assert written.keys() >= TOP_KEYS
    assert len(written["pages"]) == len(bench.PAGES)
    for page in written["pages"]:
        assert page.keys() >= PAGE_KEYS, page["label"]
    by_label = {page["label"]: page for page in written["pages"]}
    assert by_label[daily_label]["ratio_floor"] == 0.45
    assert by_label["突发事件"]["role"] == "emergency_team" and by_label["突发事件"]["user"] == "emergency"
    assert written["floor_rps"] == 200 and written["bare_rps"] == 2000
    assert written["sweep_due"] == 20000 and written["pdf_cached_s"] == 0.01
    # a daily page under half the floor misses, a workspace tab under 0.3× misses; 150/200 passes
    assert set(written["misses"]) == {workspace_label, daily_label}
    problems = bench.failures(written)
    assert len(problems) == 2 and all("目标" in p for p in problems)
    table = (tmp_path / "bench.md").read_text()
    assert "地板页" in table and workspace_label in table and "未达目标：" in table
