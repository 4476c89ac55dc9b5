"""The search's statements are kept compiled per person (pmis/statements.py): a second search
builds and compiles nothing, finds what its own keyword matches (LIKE's special characters taken
literally), and follows a change of role or a delegation at once."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from approvals.delegations import delegation_set
from approvals.selectors import active_delegations_to
from pmis.org.models import User
from pmis.org.selectors import user_group_ids, user_region_ids
from pmis.search.selectors import search_everything
from projects.models import Project
from registrations.models import Registration
from registrations.services import registration_submit

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="statements are kept on PostgreSQL"),
]


def _numbers(user, keyword: str) -> list[str]:
    groups = {g["kind"]: g for g in search_everything(user, keyword, limit=10)}
    return [hit.title.split()[0] for hit in groups["registration"]["hits"]] if "registration" in groups else []


def _fresh(user) -> User:
    return User.objects.get(pk=user.pk)  # what the next request reads: no roles remembered on the object


def test_a_second_search_compiles_nothing_and_finds_its_own_keyword(org, make_registration, monkeypatch):
    sales = org["sales"]
    first = make_registration()
    Registration.objects.filter(pk=first.pk).update(number="KP2026-00001", customer_short_name="青松地铁")
    second = make_registration()
    Registration.objects.filter(pk=second.pk).update(number="KP2026-00002", customer_short_name="白桦电力")
    assert _numbers(_fresh(sales), "青松") == ["KP2026-00001"]

    # the next requests, with who they are read (the layout's cached facts on a live site)
    requests = [_fresh(sales) for _ in range(3)]
    for user in requests:
        user_group_ids(user), user_region_ids(user), active_delegations_to(user)
    compiled = []
    real = SQLCompiler.as_sql
    monkeypatch.setattr(SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(self) or real(self, *a, **k))
    assert _numbers(requests[0], "白桦") == ["KP2026-00002"]
    assert _numbers(requests[1], "KP2026") == ["KP2026-00002", "KP2026-00001"]
    assert _numbers(requests[2], "KP2026-00001") == ["KP2026-00001"]
    assert compiled == []
    # another person's statement is his own, even with the same roles in the same department
    twin = User.objects.create(username="twin", display_name="同组销售", department=sales.department, password="!")
    twin.groups.add(*sales.groups.all())
    assert _numbers(_fresh(twin), "KP2026") == []


def test_like_wildcards_in_the_keyword_match_only_themselves(org, make_registration):
    sales = org["sales"]
    for number, short in (("WC-1", "甲a_b%乙"), ("WC-2", "甲aXbY乙"), ("WC-3", "甲a\\b乙")):
        r = make_registration()
        Registration.objects.filter(pk=r.pk).update(number=number, customer_short_name=short)
    for _ in range(2):  # built, then through the kept statement
        assert _numbers(_fresh(sales), "a_b%") == ["WC-1"]
        assert _numbers(_fresh(sales), "a\\b") == ["WC-3"]
        assert _numbers(_fresh(sales), "WC-") == ["WC-3", "WC-2", "WC-1"]


def test_a_new_role_shows_its_rows_at_the_next_search(org, make_registration):
    sales2 = org["sales2"]
    r = make_registration()  # 王晓明's, nothing of 李娜's
    Registration.objects.filter(pk=r.pk).update(number="RL2026-00001")
    assert _numbers(_fresh(sales2), "RL2026") == []

    sales2.groups.add(Group.objects.get(name="project_director"))
    Registration.objects.filter(pk=r.pk).update(state="dispatched")
    Project.objects.create(code="RL-P", name="青松项目", kind="local", registration=r, region=r.region)
    assert _numbers(_fresh(sales2), "RL2026") == ["RL2026-00001"]

    sales2.groups.remove(Group.objects.get(name="project_director"))
    assert _numbers(_fresh(sales2), "RL2026") == []


def test_a_delegate_finds_what_waits_on_the_person_he_stands_in_for(org, make_registration):
    """An unsigned registration waits on the 销售主管; the one he delegates to finds it while the
    delegation runs, and not before."""
    waiting = registration_submit(registration=make_registration(signed=False, paid=False), actor=org["sales"])
    delegate = org["sales_manager2"]
    assert _numbers(_fresh(delegate), waiting.number) == []
    today = timezone.localdate()
    delegation_set(
        actor=org["sales_manager"], delegator=org["sales_manager"], delegate=delegate,
        starts_on=today, ends_on=today + timedelta(days=2), step_kinds=None, reason="出差",
    )  # fmt: skip
    assert _numbers(_fresh(delegate), waiting.number) == [waiting.number]
