"""The shared list pattern on every list page: keyword, sortable columns, page numbers with the
total, filters kept in the URL, and the Excel export following the same filters and sort."""

import io
import re
from datetime import timedelta
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from aftersales.models import Ticket
from approvals.models import Task
from pmis.notify.models import Notification
from pmis.org.models import Region
from projects.models import Project
from registrations.models import Registration

pytestmark = pytest.mark.django_db

MATCHING = 5  # rows the keyword finds
OTHERS = 3  # rows it does not
KEYWORD = "甲乙丙"


@pytest.fixture(autouse=True)
def small_pages(settings):
    settings.PMIS_LIST_PAGE_SIZE = 2


def _registrations(owner, *, prefix="RG"):
    now = timezone.now()
    rows = []
    for i in range(MATCHING + OTHERS):
        short = f"{KEYWORD}客户{i}" if i < MATCHING else f"其他客户{i}"
        r = Registration.objects.create(
            kind="local",
            owner=owner,
            number=f"{prefix}2026-{i:05d}",
            customer_name=f"{short}有限公司",
            customer_short_name=short,
            region=Region.objects.get(code="north"),
            submitted_at=now - timedelta(hours=i),
        )
        rows.append(r)
    return rows


def _tasks(org, *, done: bool):
    ct = ContentType.objects.get_for_model(Registration)
    group = Group.objects.get(name="business_approver")
    now = timezone.now()
    for i, r in enumerate(_registrations(org["sales"], prefix="DONE" if done else "OPEN")):
        extra = {"state": "done", "closed_by": org["business_approver"], "closed_at": now - timedelta(hours=i)}
        Task.objects.create(
            content_type=ct,
            object_id=r.pk,
            step="registration.business",
            step_label="商务审批",
            title=f"{r.number} {r.title}",
            link=r.get_absolute_url(),
            group=group,
            due_at=now + timedelta(hours=i + 1),
            **(extra if done else {}),
        )


def _projects(org):
    for i in range(MATCHING + OTHERS):
        customer = f"{KEYWORD}集团{i}" if i < MATCHING else f"其他集团{i}"
        Project.objects.create(
            code=f"PJ2026-{i:04d}",
            name=f"{customer}电子签章项目",
            kind="local",
            customer_name=customer,
            region=Region.objects.get(code="north"),
            pm=org["regional_pm"],
        )


def _tickets(org):
    _projects(org)
    project = Project.objects.first()
    now = timezone.now()
    for i in range(MATCHING + OTHERS):
        Ticket.objects.create(
            number=f"TK2026-{i:05d}",
            project=project,
            subject=f"{KEYWORD}无法签章{i}" if i < MATCHING else f"其他问题{i}",
            reporting_unit="信息中心",
            reporter="张工",
            reported_at=now - timedelta(hours=i),
            description="描述",
            channel="phone",
            created_by=org["aftersales"],
            due_at=now + timedelta(hours=i),
        )


def _notifications(org):
    for i in range(MATCHING + OTHERS):
        Notification.objects.create(
            recipient=org["sales"], title=f"{KEYWORD}登记已通过{i}" if i < MATCHING else f"其他通知{i}"
        )


def _incidents(org):
    from operations.models import Incident

    _projects(org)
    project, now = Project.objects.first(), timezone.now()
    for i in range(MATCHING + OTHERS):
        Incident.objects.create(
            number=f"SJ2026-{i:05d}", project=project, title=f"{KEYWORD}停服{i}" if i < MATCHING else f"其他事件{i}",
            reporter="张工", channel="phone", reported_at=now - timedelta(hours=i), outage_started_at=now,
            symptoms="x", level="3", handler=org["regional_pm"], escalate_due_at=now, created_by=org["regional_pm"],
        )  # fmt: skip


def _articles(org):
    from knowledge.models import Article

    for i in range(MATCHING + OTHERS):
        Article.objects.create(
            number=f"ZS2026-{i:05d}", title=f"{KEYWORD}签章失败{i}" if i < MATCHING else f"其他知识{i}",
            problem="现象", cause="原因", solution="方案", created_by=org["aftersales"],
        )  # fmt: skip


def _people(org):
    """Eight 平台运维部 staff (the role filter leaves out every demo account)."""
    from pmis.org.models import User

    group = Group.objects.get(name="platform_ops")
    group.user_set.clear()
    for i in range(MATCHING + OTHERS):
        name = f"{KEYWORD}{i}" if i < MATCHING else f"其他{i}"
        User.objects.create_user(username=f"ops{i}", display_name=name, password="x").groups.add(group)


def _news(org):
    from projects.models import NewsItem

    for i in range(MATCHING + OTHERS):
        NewsItem.objects.create(title=f"{KEYWORD}项目验收{i}" if i < MATCHING else f"其他新闻{i}")


# list -> (user, url name, extra parameters, data, sort key, the export's first column of a page row)
LISTS = {
    "我的登记": ("sales", "registrations:mine", {}, lambda org: _registrations(org["sales"]), "number",
             lambda r: r.number),
    "待我审批": ("business_approver", "registrations:queue", {}, lambda org: _tasks(org, done=False), "arrived",
             lambda t: t.record.number),
    "我已审批": ("business_approver", "registrations:queue", {"tab": "decided"}, lambda org: _tasks(org, done=True),
             "closed", lambda t: t.record.number),
    "全部项目": ("project_director", "projects:all", {"kind": "local"}, _projects, "code", lambda p: p.code),
    "我的项目": ("regional_pm", "projects:mine", {}, _projects, "name", lambda p: p.code),
    "售后问题": ("aftersales", "aftersales:tickets", {"queue": "all"}, _tickets, "number", lambda t: t.number),
    "我的待办": ("business_approver", "approvals:inbox", {}, lambda org: _tasks(org, done=False), "arrived",
             lambda t: t.title),
    "通知": ("sales", "notify:list", {}, _notifications, "created", lambda n: n.title),
    "突发事件": ("emergency", "operations:incidents", {}, _incidents, "number", lambda i: i.number),
    "知识库": ("aftersales", "knowledge:articles", {}, _articles, "number", lambda a: a.number),

    "通讯录": ("sales", "org:directory", {"role": "platform_ops"}, _people, "name", lambda u: u.display_name),
    "项目新闻": ("sales", "projects:news", {}, _news, "created", lambda n: n.title),
    "周报缺报": ("project_director", "projects:weekly_missing", {"state": "initiated"}, _projects, "code",
             lambda p: p.code),
}  # fmt: skip


@pytest.fixture(params=list(LISTS))
def case(request, org, client):
    username, url, params, make, sort, ident = LISTS[request.param]
    make(org)
    client.force_login(org[username])
    return client, reverse(url), params, sort, ident


def _ids(response, ident):
    return [ident(row) for row in response.context["page"]]


def test_keyword_narrows_the_list_and_the_total_says_how_many(case):
    client, url, params, _sort, _ident = case
    response = client.get(url, {**params, "q": KEYWORD})
    page = response.context["page"]
    assert page.paginator.count == MATCHING
    html = response.content.decode()
    assert f"共 {MATCHING} 条，第 1 / 3 页" in html
    assert client.get(url, params).context["page"].paginator.count == MATCHING + OTHERS
    # the keyword box shows what was typed
    assert f'value="{KEYWORD}"' in html


def test_page_links_keep_the_keyword_filters_and_sort(case):
    client, url, params, sort, ident = case
    response = client.get(url, {**params, "q": KEYWORD, "sort": f"-{sort}"})
    links = [unescape(h) for h in re.findall(r'href="(\?[^"]*page=\d[^"]*)"', response.content.decode())]
    assert links, "page numbers are links"
    second = next(link for link in links if "page=2" in link)
    for key, value in {**params, "sort": f"-{sort}"}.items():
        assert f"{key}={value}" in second
    page2 = client.get(url + second)
    assert page2.context["page"].number == 2
    assert set(_ids(page2, ident)).isdisjoint(_ids(response, ident))


def test_columns_sort_both_ways(case, settings):
    client, url, params, sort, ident = case
    settings.PMIS_LIST_PAGE_SIZE = 50
    ascending = _ids(client.get(url, {**params, "sort": sort}), ident)
    descending = _ids(client.get(url, {**params, "sort": f"-{sort}"}), ident)
    assert len(ascending) == MATCHING + OTHERS
    assert ascending == list(reversed(descending))
    assert ascending != descending


def test_an_unknown_sort_is_refused_in_chinese(case):
    client, url, params, _sort, _ident = case
    response = client.get(url, {**params, "sort": "password"})
    assert response.status_code == 400
    assert "不支持按“password”排序" in response.content.decode()


def test_export_follows_the_keyword_filters_and_sort(case, settings):
    client, url, params, sort, ident = case
    settings.PMIS_LIST_PAGE_SIZE = 50
    query = {**params, "q": KEYWORD, "sort": f"-{sort}"}
    shown = _ids(client.get(url, query), ident)
    page_html = client.get(url, query).content.decode()
    export_link = unescape(re.search(r'href="(\?[^"]*export=xlsx[^"]*)"', page_html).group(1))
    response = client.get(url + export_link)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert len(rows) == MATCHING + 2  # the title row, the header row, the rows
    assert [row[0] for row in rows[2:]] == shown


def test_every_sort_offered_is_served_by_an_index():
    """Only indexed sorts are whitelisted: each sort's first column leads some index."""
    from aftersales.lists import TICKETS
    from approvals.lists import INBOX
    from knowledge.lists import ARTICLES
    from knowledge.models import Article
    from operations.lists import INCIDENTS
    from operations.models import Incident
    from pmis.notify.lists import NOTIFICATIONS
    from pmis.org.lists import DIRECTORY
    from pmis.org.models import User
    from projects.lists import NEWS, PROJECTS, WEEKLY_MISSING
    from projects.models import NewsItem
    from registrations.lists import MINE, QUEUE_DECIDED, QUEUE_WAITING

    specs = {
        Registration: [MINE],
        Task: [QUEUE_WAITING, QUEUE_DECIDED, INBOX],
        Project: [PROJECTS, WEEKLY_MISSING],
        User: [DIRECTORY],
        NewsItem: [NEWS],
        Ticket: [TICKETS],
        Notification: [NOTIFICATIONS],
        Incident: [INCIDENTS],
        Article: [ARTICLES],
    }
    with connection.cursor() as cursor:
        for model, model_specs in specs.items():
            table = model._meta.db_table
            indexes = connection.introspection.get_constraints(cursor, table)
            leading = {c["columns"][0] for c in indexes.values() if c["index"] or c["unique"] if c["columns"]}
            for spec in model_specs:
                for key, sort in spec.sorts.items():
                    column = model._meta.get_field(sort.fields[0]).column
                    assert column in leading, (spec.title, key, column)


@pytest.mark.django_db(transaction=True)
def test_a_pages_rows_are_read_by_id_through_one_kept_statement_on_any_connection(org):
    """A bounded list's page reads its rows by id (pmis.lists.rows_by_id) through a statement
    kept compiled for any number of ids: each read gives exactly the rows asked for with their
    related rows joined, and another thread (its own connection) reads through it too."""
    from django.test.utils import CaptureQueriesContext

    from pmis.lists import rows_by_id
    from pmis.org.models import User
    from tests.helpers import run_at_once

    users = list(User.objects.filter(region__isnull=False).order_by("pk")[:3])
    queryset = User.objects.filter(is_active=True).select_related("region", "department")
    for ids in ([users[0].pk], [u.pk for u in users], [users[2].pk, users[0].pk]):
        with CaptureQueriesContext(connection) as ctx:
            rows = rows_by_id(queryset, ids)
            shown = {pk: (row.username, row.region.name) for pk, row in rows.items()}
        assert shown == {u.pk: (u.username, u.region.name) for u in users if u.pk in ids}
        assert len(ctx.captured_queries) == 1 and "= ANY(" in ctx.captured_queries[0]["sql"]
    [elsewhere] = run_at_once(lambda: sorted(rows_by_id(queryset, [u.pk for u in users])), times=1)
    assert elsewhere == sorted(u.pk for u in users)


@pytest.mark.django_db(transaction=True)
def test_rows_by_id_run_as_a_prepared_statement_on_kept_connections(org, monkeypatch):
    """On connections kept between requests the rows statement is prepared once per connection
    (pmis.statements.prepared_with_one_value) and run with each page's ids: every read, past the
    runs after which PostgreSQL keeps one plan for any ids, gives exactly the rows asked for."""
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from pmis.lists import rows_by_id
    from pmis.org.models import User
    from tests.helpers import run_at_once

    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    users = list(User.objects.filter(region__isnull=False).order_by("pk")[:8])
    queryset = User.objects.filter(is_active=True).select_related("region", "department")
    for n in range(1, 9):
        ids = [u.pk for u in users[:n]][::-1]
        with CaptureQueriesContext(connection) as ctx:
            rows = rows_by_id(queryset, ids)
        assert {pk: row.region.name for pk, row in rows.items()} == {u.pk: u.region.name for u in users[:n]}
        executed = [q["sql"] for q in ctx.captured_queries if "pmis_kept_" in q["sql"]]
        assert executed and executed[-1].startswith("EXECUTE "), ctx.captured_queries

    def elsewhere():
        connections["default"].settings_dict["CONN_MAX_AGE"] = 60
        return sorted(rows_by_id(queryset, [u.pk for u in users]))

    assert run_at_once(elsewhere, times=1) == [sorted(u.pk for u in users)]
