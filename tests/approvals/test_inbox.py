import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse

from approvals.errors import AlreadyDecided, DomainError
from approvals.models import Task
from approvals.selectors import inbox_count, inbox_for, task_can_act
from approvals.services import task_claim, task_close, task_open, task_reassign, task_release, tasks_cancel_for
from pmis.audit.models import AuditEntry
from pmis.notify.models import Notification
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def _open(subject, **kwargs):
    kwargs.setdefault("step", "test.step")
    kwargs.setdefault("step_label", "销售主管审批")
    kwargs.setdefault("title", "某银行电子签章项目立项申请")
    kwargs.setdefault("link", "/somewhere/1/")
    return task_open(subject=subject, **kwargs)


def test_group_task_waits_on_every_member_but_not_the_requester(demo, subject, policies):
    task = _open(subject, group="sales_manager", exclude_user=demo["sales_manager2"])
    assert list(inbox_for(demo["sales_manager"])) == [task]
    assert list(inbox_for(demo["sales_manager2"])) == []  # the excluded requester
    assert list(inbox_for(demo["sales"])) == []  # another role
    assert task.due_at is not None and task.warn_at < task.due_at


def test_region_scoped_task_reaches_only_that_regions_leader(demo, subject, south, policies):
    task = _open(subject, group="special_approver", region=south)
    assert list(inbox_for(demo["special_approver_south"])) == [task]
    assert list(inbox_for(demo["special_approver"])) == []
    assert not task_can_act(demo["special_approver"], task)
    assert task_can_act(demo["special_approver_south"], task)


def test_task_for_one_person(demo, subject, policies):
    task = _open(subject, assignee=demo["regional_pm"])
    assert list(inbox_for(demo["regional_pm"])) == [task]
    assert list(inbox_for(demo["regional_pm_south"])) == []


def test_opening_a_task_notifies_the_people_it_waits_on(demo, subject, north, policies):
    _open(subject, group="regional_pm", region=north)
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"regional_pm"}
    note = Notification.objects.get()
    assert note.title.startswith("新的待办") and note.link == "/somewhere/1/"


def test_claim_hides_the_task_from_colleagues_until_released(demo, subject, policies):
    task = _open(subject, group="sales_manager")
    task_claim(task=task, actor=demo["sales_manager"])
    assert list(inbox_for(demo["sales_manager2"])) == []
    with pytest.raises(PermissionDenied):
        task_claim(task=task, actor=demo["sales_manager2"])
    with pytest.raises(PermissionDenied):
        task_release(task=task, actor=demo["sales_manager2"])
    task_release(task=task, actor=demo["sales_manager"])
    assert list(inbox_for(demo["sales_manager2"])) == [task]
    actions = list(AuditEntry.objects.filter(object_id=task.pk).values_list("action", flat=True))
    assert actions == ["task.claim", "task.release"]


def test_someone_outside_the_role_cannot_claim(demo, subject, policies):
    task = _open(subject, group="business_approver")
    with pytest.raises(PermissionDenied):
        task_claim(task=task, actor=demo["sales"])


def test_reassign_needs_a_reason_and_an_eligible_colleague(demo, subject, north, policies):
    task = _open(subject, group="regional_pm", region=north)
    with pytest.raises(DomainError, match="原因"):
        task_reassign(task=task, actor=demo["regional_pm"], to_user=demo["regional_pm"], reason=" ")
    with pytest.raises(DomainError, match="不负责该区域"):
        task_reassign(task=task, actor=demo["regional_pm"], to_user=demo["regional_pm_south"], reason="出差")
    with pytest.raises(PermissionDenied):
        task_reassign(task=task, actor=demo["sales"], to_user=demo["regional_pm"], reason="x")
    task_reassign(task=task, actor=demo["admin"], to_user=demo["regional_pm"], reason="本周值班")
    task.refresh_from_db()
    assert task.assignee == demo["regional_pm"]
    entry = AuditEntry.objects.get(action="task.reassign")
    assert entry.comment == "本周值班" and entry.actor == demo["admin"]
    assert Notification.objects.filter(recipient=demo["regional_pm"], kind="task_reassigned").count() == 1


def test_close_answers_the_step_once(demo, subject, policies):
    task = _open(subject, group="business_approver")
    task_close(task=task, actor=demo["business_approver"], outcome="approved")
    task.refresh_from_db()
    assert task.state == Task.State.DONE and task.closed_by == demo["business_approver"]
    assert inbox_count(demo["business_approver"]) == 0
    with pytest.raises(AlreadyDecided, match="已被他人处理"):
        task_close(task=task, actor=demo["business_approver"], outcome="approved")


def test_state_cannot_be_assigned_directly(demo, subject, policies):
    task = _open(subject, group="business_approver")
    with pytest.raises(AttributeError):
        task.state = Task.State.DONE


def test_cancel_closes_every_open_task_of_the_record(demo, subject, policies):
    _open(subject, group="business_approver")
    _open(subject, group="sales_manager")
    assert tasks_cancel_for(subject=subject, actor=demo["sales"]) == 2
    assert not Task.objects.filter(state=Task.State.OPEN).exists()


@pytest.mark.django_db(transaction=True)
def test_two_people_closing_the_same_step_at_once_exactly_one_wins(demo, subject, policies):
    from django.db import transaction

    task = _open(subject, group="business_approver")
    barrier = threading.Barrier(2)
    results: list[str] = []

    def decide(user):
        try:
            barrier.wait()
            with transaction.atomic():
                task_close(task=Task.objects.get(pk=task.pk), actor=user, outcome="approved")
            results.append("ok")
        except AlreadyDecided as exc:
            results.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(demo[name],)) for name in ("business_approver", "admin")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "该环节已被他人处理，请刷新页面查看最新状态"]


def _bulk_tasks(subject, group, n, **extra):
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(subject)
    g = Group.objects.get(name=group)
    Task.objects.bulk_create(
        [
            Task(
                content_type=ct,
                object_id=subject.pk,
                step="s",
                step_label="审批",
                title=f"事项{i}",
                link="/",
                group=g,
                **extra,
            )
            for i in range(n)
        ]
    )


def test_inbox_page_query_count_does_not_grow_with_the_tasks(client, demo, subject, north):
    client.force_login(demo["regional_pm"])
    _bulk_tasks(subject, "regional_pm", 3, region=north)
    small = count_queries(lambda: client.get(reverse("approvals:inbox")))
    _bulk_tasks(subject, "regional_pm", 297, region=north)
    cache.clear()  # rows written in bulk, past the services: the layout is built afresh, as before
    response = client.get(reverse("approvals:inbox"))
    body = response.content.decode()
    # counted only past the badge's limit: "99+" in the heading, the total and the badge, with a next page
    assert '我的待办 <span class="muted">（99+）</span>' in body and "共 99+ 条，第 1 页" in body
    assert 'data-badge="inbox">99+<' in body and 'rel="next"' in body
    cache.clear()
    assert count_queries(lambda: client.get(reverse("approvals:inbox"))) == small


def test_a_large_inbox_pages_on_without_counting_it_whole(client, demo, subject, north, settings):
    settings.PMIS_LIST_PAGE_SIZE = 30
    client.force_login(demo["regional_pm"])
    _bulk_tasks(subject, "regional_pm", 300, region=north)
    fifth = client.get(reverse("approvals:inbox"), {"page": 5}).content.decode()
    # the pages around the fifth are known, the last is not: only a next page is offered
    assert "共 210+ 条，第 5 页" in fifth and 'rel="next"' in fifth and ">10<" not in fifth
    last = client.get(reverse("approvals:inbox"), {"page": 10}).content.decode()
    assert "共 300 条，第 10 / 10 页" in last and 'rel="next"' not in last
    rows = client.get(reverse("approvals:inbox"), {"page": 10}).context["page"].object_list
    # the page's rows, read by id, come back in the inbox's order with whom each waits on
    assert [t.title for t in rows] == list(inbox_for(demo["regional_pm"]).values_list("title", flat=True)[270:300])
    assert len(rows) == 30 and all(t.group.name == "regional_pm" and t.region == north for t in rows)
    assert count_queries(lambda: [(t.group.name, t.region.name) for t in rows]) == 0  # joined, not read per row


def test_inbox_page_lists_due_times_and_marks_overdue(client, demo, subject, policies, time_machine):
    time_machine.move_to(datetime(2026, 6, 1, 9, 0, tzinfo=SH))
    _open(subject, group="business_approver", title="甲公司电子签章项目立项申请")
    client.force_login(demo["business_approver"])
    body = client.get(reverse("approvals:inbox")).content.decode()
    assert "甲公司电子签章项目立项申请" in body and "2026-06-01 18:00" in body and "已超时" not in body
    assert 'data-badge="inbox">1<' in body

    time_machine.move_to(datetime(2026, 6, 1, 16, 0, tzinfo=SH))
    assert "即将超时" in client.get(reverse("approvals:inbox")).content.decode()
    time_machine.move_to(datetime(2026, 6, 2, 9, 30, tzinfo=SH))
    client.force_login(demo["business_approver"])  # the session of yesterday has expired
    response = client.get(reverse("approvals:inbox"))
    assert "已超时" in response.content.decode() and 'class="overdue"' in response.content.decode()


def test_claim_and_release_through_the_page(client, demo, subject, policies):
    task = _open(subject, group="sales_manager")
    client.force_login(demo["sales_manager"])
    client.post(reverse("approvals:claim", args=[task.pk]))
    task.refresh_from_db()
    assert task.claimed_by == demo["sales_manager"]
    client.force_login(demo["sales_manager2"])
    response = client.post(reverse("approvals:claim", args=[task.pk]), follow=True)
    assert "您不能认领该待办" in response.content.decode()


def test_anonymous_inbox_redirects_to_login(client):
    assert client.get(reverse("approvals:inbox")).status_code == 302


def test_reassign_page_hands_the_task_to_a_colleague(client, demo, subject, policies):
    from django.contrib.auth.models import Group

    colleague = demo["admin"]
    colleague.groups.add(Group.objects.get(name="business_approver"))
    task = _open(subject, group="business_approver")
    client.force_login(demo["business_approver"])
    page = client.get(reverse("approvals:reassign", args=[task.pk]))
    assert list(page.context["form"].fields["to_user"].queryset) == [colleague]
    response = client.post(reverse("approvals:reassign", args=[task.pk]), {"to_user": colleague.pk, "reason": ""})
    assert "请填写转交原因" in response.content.decode()
    client.post(reverse("approvals:reassign", args=[task.pk]), {"to_user": colleague.pk, "reason": "休假"})
    task.refresh_from_db()
    assert task.assignee == colleague
    assert list(inbox_for(demo["business_approver"])) == []
    client.force_login(demo["sales"])
    assert client.get(reverse("approvals:reassign", args=[task.pk])).status_code == 404


def test_home_shows_what_waits_and_the_unread_notifications(client, demo, subject, policies):
    _open(subject, group="business_approver", title="丁公司SAAS项目立项申请")
    client.force_login(demo["business_approver"])
    body = client.get(reverse("home")).content.decode()
    assert "丁公司SAAS项目立项申请" in body  # in 等待我处理 and as the 新的待办 notification
    assert body.count("丁公司SAAS项目立项申请") == 2
    client.force_login(demo["sales"])
    assert "没有等待您处理的事项" in client.get(reverse("home")).content.decode()


def test_inbox_pages_keep_its_order_soonest_due_first_and_no_deadline_last(client, demo, subject, north, settings):
    from datetime import timedelta

    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    settings.PMIS_LIST_PAGE_SIZE = 4
    start = timezone.now()
    ct, group = ContentType.objects.get_for_model(subject), Group.objects.get(name="regional_pm")
    dues = [start + timedelta(hours=h) for h in (5, 1, 3)] + [None, None] + [start + timedelta(hours=h) for h in (2, 4)]
    Task.objects.bulk_create(
        [
            Task(
                content_type=ct,
                object_id=subject.pk,
                step="s",
                step_label="审批",
                title=f"事项{i}",
                link="/",
                group=group,
                region=north,
                due_at=due,
            )
            for i, due in enumerate(dues)
        ]
    )
    client.force_login(demo["regional_pm"])

    def titles(**params):
        return [t.title for t in client.get(reverse("approvals:inbox"), params).context["page"].object_list]

    assert titles() + titles(page=2) == ["事项1", "事项5", "事项2", "事项6", "事项0", "事项3", "事项4"]
    assert titles(sort="-arrived") == ["事项6", "事项5", "事项4", "事项3"]


def _mixed_inbox(demo, subject, north, south):
    """An inbox of every kind of branch: assigned, his group in his region and region-free, a
    colleague's region, a colleague's claim, his own request, another role, held behind another
    signer (加签) and delegated work of the delegated kind and of another. Returns him and the
    tasks opened, in order."""
    from datetime import timedelta

    from django.utils import timezone

    from approvals.models import Delegation

    leader, other = demo["special_approver_south"], demo["special_approver"]
    now = timezone.now()
    opened = [
        _open(subject, group="special_approver", region=south),
        _open(subject, group="special_approver", region=south),
        _open(subject, group="special_approver", region=north),  # his colleague's region
        _open(subject, group="special_approver"),
        _open(subject, group="special_approver"),
        _open(subject, assignee=leader),
        _open(subject, group="special_approver", exclude_user=leader),  # his own request
        _open(subject, group="sales_manager"),  # another role
        _open(subject, assignee=other, step="registration.special"),  # reaches him by delegation
        _open(subject, assignee=other, step="contract.review"),  # not of the delegated kind
    ]
    claimed = _open(subject, group="special_approver", region=south)
    Task.objects.filter(pk=claimed.pk).update(claimed_by=other)  # a colleague holds it
    held = _open(subject, group="special_approver")
    Task.objects.filter(pk=held.pk).update(waits_for=opened[7])  # 加签: the other signer comes first
    # due times that interleave the branches, two of them equal (the id decides)
    for i, task in enumerate([*opened, claimed, held]):
        Task.objects.filter(pk=task.pk).update(due_at=now + timedelta(hours=(7 * i) % 5))
    Task.objects.filter(pk=opened[4].pk).update(due_at=None)
    Delegation.objects.create(
        delegator=other,
        delegate=leader,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        step_kinds=["registration"],
        reason="出差",
        created_by=other,
    )
    return leader, opened


def test_the_inbox_head_is_the_first_tasks_of_the_inbox_in_two_queries(demo, subject, north, south, policies):
    """The 工作台's glance at the inbox: read branch by branch, the same tasks in the same order as
    the inbox's first ones, whatever mix of assigned, group, region, claimed, held and delegated
    work there is."""
    from approvals.selectors import inbox_head
    from pmis.org.models import User

    leader, opened = _mixed_inbox(demo, subject, north, south)
    inbox = list(inbox_for(User.objects.get(pk=leader.pk)))
    assert {t.pk for t in inbox} == {opened[i].pk for i in (0, 1, 3, 4, 5, 8)}
    for n in range(1, len(inbox) + 2):
        assert inbox_head(User.objects.get(pk=leader.pk), n) == inbox[:n], n
    user = User.objects.get(pk=leader.pk)
    inbox_for(user).exists()  # his groups, regions and delegations read once, as the page does
    assert count_queries(lambda: inbox_head(user, 8)) == 2


def test_every_page_of_the_inbox_read_branch_by_branch_is_the_page_of_the_whole_inbox(
    client, demo, subject, north, south, policies, settings
):
    """The inbox page reads its ids and its count branch by branch (InboxIds): each page, in each
    order, holds the rows the whole inbox sorted would put there, the total is the inbox's, and
    我认领的 holds only his claims."""
    from pmis.org.models import User

    leader, opened = _mixed_inbox(demo, subject, north, south)
    Task.objects.filter(pk=opened[1].pk).update(claimed_by=leader)
    settings.PMIS_LIST_PAGE_SIZE = 2
    client.force_login(leader)
    inbox = inbox_for(User.objects.get(pk=leader.pk))
    orders = {"": ("due_at", "id"), "-due": ("-due_at", "-id"), "arrived": ("created_at", "id")}
    orders["-arrived"] = ("-created_at", "-id")
    for sort, fields in orders.items():
        expected = [t.pk for t in inbox.order_by(*fields)]
        shown = []
        for number in (1, 2, 3):
            page = client.get(reverse("approvals:inbox"), {"sort": sort, "page": number}).context["page"]
            shown += [t.pk for t in page.object_list]
            assert (page.paginator.count_label, page.paginator.num_pages) == ("6", 3)
        assert shown == expected, sort
        assert len(set(shown)) == 6
    mine = client.get(reverse("approvals:inbox"), {"mine": "1"}).context["page"]
    assert [t.pk for t in mine.object_list] == [opened[1].pk]
    assert mine.paginator.count_label == "1"


def test_an_inbox_page_reads_the_task_table_twice_its_branches_and_its_rows(client, demo, subject, north, settings):
    """The page's ids, its order and its total all come from the branches read once; then its rows
    by id. Neither the whole inbox's conditions nor a second ordering statement is run (the layout
    kept, as it is on any page but the first)."""
    settings.PMIS_LAYOUT_CACHE = "default"
    cache.clear()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _bulk_tasks(subject, "regional_pm", 40, region=north)
    client.force_login(demo["regional_pm"])
    for params in ({}, {"sort": "-arrived", "page": 2}, {"mine": "1"}):
        client.get(reverse("approvals:inbox"), params)
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(reverse("approvals:inbox"), params).context["page"]
        reads = [q["sql"] for q in ctx.captured_queries if '"approvals_task"' in q["sql"]]
        assert len(reads) == (2 if page.object_list else 1), params


def test_the_inbox_read_again_follows_new_work_and_the_persons_groups_regions_and_team(
    demo, subject, north, south, policies
):
    """The glance's statement is kept per person between pages (approvals.selectors._HEADS_SQL):
    what it finds still follows every task opened since, and a group joined, a region granted or
    a team changed shows that work at once."""
    from django.contrib.auth.models import Group

    from approvals.selectors import inbox_head
    from pmis.org.models import Department, User
    from pmis.org.services import region_scope_grant

    leader = demo["special_approver_south"]

    def glance():
        return {task.pk for task in inbox_head(User.objects.get(pk=leader.pk), 8)}

    first = _open(subject, group="special_approver", region=south)
    assert glance() == {first.pk}
    second = _open(subject, group="special_approver", region=south)
    elsewhere = _open(subject, group="special_approver", region=north)
    other_role = _open(subject, group="sales_manager")
    other_team = Department.objects.create(code="delivery-2", name="交付二部")
    teamed = _open(subject, group="special_approver")
    Task.objects.filter(pk=teamed.pk).update(department=other_team)  # another team's step
    assert glance() == {first.pk, second.pk}

    leader.groups.add(Group.objects.get(name="sales_manager"))
    assert glance() == {first.pk, second.pk, other_role.pk}
    region_scope_grant(user=leader, region=north)
    assert glance() == {first.pk, second.pk, other_role.pk, elsewhere.pk}
    User.objects.filter(pk=leader.pk).update(department=other_team)
    assert glance() == {first.pk, second.pk, other_role.pk, elsewhere.pk, teamed.pk}


def test_a_persons_kept_inbox_statement_is_planned_once_per_connection(demo, subject, north, south, monkeypatch):
    """The kept branches run as a prepared statement of the connection (pmis.statements.run_prepared):
    planned once, still finding each task opened since; a new connection prepares it again, and
    a connection holding as many as it may lets them go and goes on with each person's own."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from approvals.selectors import inbox_head
    from pmis import statements
    from pmis.org.models import User

    north_leader, south_leader = demo["special_approver"], demo["special_approver_south"]
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)  # connections kept between requests

    def glance(leader):
        return {task.pk for task in inbox_head(User.objects.get(pk=leader.pk), 8)}

    first = _open(subject, group="special_approver", region=south)
    assert glance(south_leader) == {first.pk}
    with CaptureQueriesContext(connection) as ctx:
        assert glance(south_leader) == {first.pk}
    assert [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("PREPARE ")]
    second = _open(subject, group="special_approver", region=south)
    with CaptureQueriesContext(connection) as ctx:
        assert glance(south_leader) == {first.pk, second.pk}
    kept = [q["sql"] for q in ctx.captured_queries if "pmis_kept_" in q["sql"]]
    assert not [sql for sql in kept if sql.startswith("PREPARE ")]  # planned before, not again
    assert [sql for sql in kept if sql.startswith("EXECUTE ") and "(" not in sql]  # the branches (rows: by ids)

    connection._pmis_prepared = (object(), {})  # as after a reconnect: nothing prepared on it
    assert glance(south_leader) == {first.pk, second.pk}

    monkeypatch.setattr(statements, "PREPARED_MAX", 1)
    theirs = _open(subject, group="special_approver", region=north)
    for _ in range(2):
        glance(north_leader), glance(south_leader)  # built, then kept: each turn lets the other's go
        assert glance(north_leader) == {theirs.pk}
        assert glance(south_leader) == {first.pk, second.pk}
