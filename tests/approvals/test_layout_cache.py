"""The layout (side bar, badges, bell, roles) costs one cache lookup on a warm page, and changes
as soon as the services change what it shows."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from approvals.services import task_claim, task_close, task_open, task_reassign
from pmis.notify.models import Notification
from pmis.notify.services import notification_mark_read, notify

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def layout_cached(settings):
    settings.PMIS_LAYOUT_CACHE = "default"  # the production arrangement (tests build it afresh)


# Tables the layout reads for a person: his roles, region permissions, delegations, waiting
# tasks and unread notifications.
LAYOUT_TABLES = ("auth_group", "guardian_", "approvals_task", "approvals_delegation", "notify_notification")


def _page(client):
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(reverse("password_change")).content.decode()
    return body, [q["sql"] for q in ctx.captured_queries]


def _layout_queries(sqls):
    return [sql for sql in sqls if any(table in sql for table in LAYOUT_TABLES)]


def _badge(body, name):
    found = re.search(rf'data-badge="{name}">([^<]+)<', body)
    return found.group(1) if found else None


def _open(subject, **kwargs):
    return task_open(
        subject=subject, step="test.step", step_label="销售主管审批", title="某银行立项申请", link="/x/1/", **kwargs
    )


def test_a_warm_layout_reads_nothing_about_the_person(client, demo, subject, policies):
    _open(subject, group="sales_manager")
    client.force_login(demo["sales_manager"])
    _, cold = _page(client)
    warm_body, warm = _page(client)
    assert _layout_queries(cold), "the first page builds the layout from the database"
    assert _layout_queries(warm) == []
    assert len(warm) < len(cold)
    assert _badge(warm_body, "inbox") == "1" and "登记审批" in warm_body and "销售主管" in warm_body


def test_the_badge_follows_a_task_opened_claimed_handed_on_and_closed(client, demo, subject, policies):
    manager, colleague = demo["sales_manager"], demo["sales_manager2"]
    client.force_login(manager)
    assert _badge(_page(client)[0], "inbox") is None
    task = _open(subject, group="sales_manager")
    assert _badge(_page(client)[0], "inbox") == "1"

    client.force_login(colleague)
    assert _badge(_page(client)[0], "inbox") == "1"
    task_claim(task=task, actor=manager)
    assert _badge(_page(client)[0], "inbox") is None  # claimed by the other: gone from his inbox

    task_reassign(task=task, actor=manager, to_user=colleague, reason="出差")
    assert _badge(_page(client)[0], "inbox") == "1"
    client.force_login(manager)
    assert _badge(_page(client)[0], "inbox") is None

    client.force_login(colleague)
    task.refresh_from_db()
    task_close(task=task, actor=colleague, outcome="approved")
    assert _badge(_page(client)[0], "inbox") is None


def test_the_bell_follows_a_notification_written_and_read(client, demo):
    user = demo["sales"]
    client.force_login(user)
    assert _badge(_page(client)[0], "notifications") is None
    notify(recipients=[user], title="项目新闻")
    assert _badge(_page(client)[0], "notifications") == "1"
    notification_mark_read(notification=Notification.objects.get(recipient=user), actor=user)
    assert _badge(_page(client)[0], "notifications") is None


def test_a_role_given_shows_its_pages_at_once(client, demo):
    user = demo["sales"]
    client.force_login(user)
    assert "全部项目" not in _page(client)[0]
    user.groups.add(Group.objects.get(name="project_director"))
    assert "全部项目" in _page(client)[0]
    user.groups.remove(Group.objects.get(name="project_director"))
    assert "全部项目" not in _page(client)[0]


def test_a_huge_queue_is_counted_no_further_than_the_badge_shows(client, demo, subject):
    from approvals.models import Task
    from pmis.layout import BADGE_LIMIT

    group = Group.objects.get(name="sales_manager")
    rows = dict(content_type_id=1, object_id=subject.pk, step="s", step_label="审批", link="/", group=group)
    Task.objects.bulk_create(Task(title=f"事项{i}", **rows) for i in range(BADGE_LIMIT + 5))
    client.force_login(demo["sales_manager"])
    body, sqls = _page(client)
    assert _badge(body, "inbox") == f"{BADGE_LIMIT}+"
    counts = [sql for sql in sqls if "approvals_task" in sql and "COUNT" in sql.upper()]
    assert counts and all(f"LIMIT {BADGE_LIMIT + 1}" in sql for sql in counts)


def test_the_inbox_page_counts_the_inbox_once(client, demo, subject, policies):
    """The page counts from the branches it reads for its rows (approvals.selectors.InboxIds), and
    the side bar's badge takes that count: no COUNT of the inbox at all."""
    _open(subject, group="sales_manager")
    _open(subject, group="sales_manager")
    client.force_login(demo["sales_manager"])
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(reverse("approvals:inbox")).content.decode()
    counts = [q["sql"] for q in ctx.captured_queries if "approvals_task" in q["sql"] and "COUNT" in q["sql"].upper()]
    assert counts == []
    assert _badge(body, "inbox") == "2" and "共 2 条" in body


# Who the person is to an inbox or a queue: his groups, the regions he acts for, the delegations
# that reach him.
# (The page's rows join their role group: only a statement reading from these tables counts.)
WHO_TABLES = ('FROM "auth_group"', 'FROM "approvals_delegation"', "guardian_userobjectpermission")


def _inbox(client):
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(reverse("approvals:inbox")).content.decode()
    return body, [q["sql"] for q in ctx.captured_queries if any(t in q["sql"] for t in WHO_TABLES)]


def test_a_warm_inbox_takes_the_persons_groups_regions_and_delegations_from_his_layout(
    client, demo, subject, north, policies
):
    _open(subject, group="regional_pm", region=north)
    client.force_login(demo["regional_pm"])
    cold_body, cold = _inbox(client)
    warm_body, warm = _inbox(client)
    assert cold, "the first page reads them from the database"
    assert warm == []
    assert "某银行立项申请" in cold_body and "某银行立项申请" in warm_body


def test_a_region_granted_shows_its_steps_at_once(client, demo, subject, south, policies):
    from pmis.org.services import region_scope_grant, region_scope_revoke

    pm = demo["regional_pm"]
    _open(subject, group="regional_pm", region=south)
    client.force_login(pm)
    assert "某银行立项申请" not in _inbox(client)[0]
    assert "某银行立项申请" not in _inbox(client)[0]  # warm: still not his region
    region_scope_grant(user=pm, region=south)
    assert "某银行立项申请" in _inbox(client)[0]
    region_scope_revoke(user=pm, region=south)
    assert "某银行立项申请" not in _inbox(client)[0]


def test_a_delegation_set_today_shows_the_delegators_steps_to_the_delegate_at_once(client, demo, subject, policies):
    from django.utils import timezone

    from approvals.delegations import delegation_cancel, delegation_set

    manager, colleague = demo["sales_manager"], demo["sales_manager2"]
    _open(subject, assignee=manager)
    client.force_login(colleague)
    assert "某银行立项申请" not in _inbox(client)[0]
    assert "某银行立项申请" not in _inbox(client)[0]
    today = timezone.localdate()
    delegation = delegation_set(actor=manager, delegator=manager, delegate=colleague, starts_on=today, ends_on=today)
    body = _inbox(client)[0]
    assert "某银行立项申请" in body and f"代 {manager} 审批" in body  # the row says whom he acts for
    delegation_cancel(delegation=delegation, actor=manager)
    assert "某银行立项申请" not in _inbox(client)[0]


def test_a_layout_read_twice_in_a_request_is_looked_up_once_unless_forgotten_between(demo, subject, policies):
    """The side bar reuses the entry the page's own checks read (one cache lookup a page); a task
    opened for him in between (a view that acts, then renders) shows in the badge all the same."""
    from django.core.cache import cache

    from pmis.layout import layout_facts, who
    from pmis.org.models import User

    manager = demo["sales_manager"]
    layout_facts(User.objects.get(pk=manager.pk))  # kept
    user = User.objects.get(pk=manager.pk)  # one request's user
    lookups = []
    real_get = cache.get
    cache.get = lambda *args, **kwargs: lookups.append(args[0]) or real_get(*args, **kwargs)
    try:
        assert who(user) is not None
        assert layout_facts(user)["inbox"] == 0
        assert len(lookups) == 1
        _open(subject, group="sales_manager")
        assert layout_facts(user)["inbox"] == 1
    finally:
        cache.get = real_get


def test_the_side_bar_marks_the_page_shown_and_carries_the_inbox_badge(client, demo, subject, policies):
    """The side bar (written out in pmis.context_processors.side_nav): each of the person's pages
    once, the one shown marked active and no other, the inbox's badge beside 我的待办, and the
    layout's own links (search, bell, sign-out) in place."""
    task_open(subject=subject, step="s", step_label="审批", title="某事项", link="/", group="business_approver")
    client.force_login(demo["business_approver"])
    for path, label in ((reverse("approvals:inbox"), "我的待办"), (reverse("approvals:copied"), "抄送我的")):
        body = client.get(path).content.decode()
        active = re.findall(r'<a class="nav-link active" href="([^"]+)" data-nav="([^"]+)"', body)
        assert active == [(path, label)]
        assert body.count(f'data-nav="{label}"') == 1
        inbox_link = body.split('data-nav="我的待办">', 1)[1].split("</a>", 1)[0]
        assert 'data-badge="inbox">1<' in inbox_link
        assert f'action="{reverse("search:results")}"' in body
        assert f'data-suggest-url="{reverse("search:suggest")}"' in body
        assert f'action="{reverse("logout")}"' in body and f'class="bell" href="{reverse("notify:list")}"' in body
