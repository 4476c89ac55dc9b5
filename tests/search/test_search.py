"""Find anything: the header box's selectors and views, and the people / project pickers."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.models import Ticket
from approvals.models import Task
from pmis.search.selectors import search_everything
from registrations.models import Registration
from registrations.services import registration_submit
from tests.projects.conftest import dispatched, project  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.django_db


def _titles(user, keyword, kind):
    groups = {g["kind"]: g for g in search_everything(user, keyword, limit=10)}
    return [hit.title for hit in groups[kind]["hits"]] if kind in groups else []


def _ticket(org, project, number="TK2026-00001", subject="签章服务无法登录"):  # noqa: F811
    return Ticket.objects.create(
        number=number,
        project=project,
        subject=subject,
        reporting_unit="信息中心",
        reporter="张工",
        reported_at=timezone.now(),
        description="描述",
        channel="phone",
        created_by=org["aftersales"],
    )


def test_a_registration_is_found_by_number_contract_and_customer_only_by_who_may_see_it(org, make_registration):
    draft = make_registration()
    Registration.objects.filter(pk=draft.pk).update(contract_number="HT-2026-778899", customer_short_name="青松地铁")
    r = registration_submit(registration=Registration.objects.get(pk=draft.pk), actor=org["sales"])
    for keyword in (r.number, "778899", "青松地铁", r.customer_name[:6]):
        assert any(r.number in t for t in _titles(org["sales"], keyword, "registration")), keyword
    # the business approver it waits on finds it; another salesperson and an implementer do not
    assert _titles(org["business_approver"], "青松地铁", "registration")
    for outsider in ("sales2", "implementer", "regional_pm_south"):
        assert _titles(org[outsider], "青松地铁", "registration") == [], outsider
        assert _titles(org[outsider], r.number, "registration") == [], outsider


def test_projects_tickets_and_people(org, project):  # noqa: F811
    ticket = _ticket(org, project)
    assert _titles(org["regional_pm"], project.code, "project") == [f"{project.code} {project.name}"]
    assert _titles(org["regional_pm"], "轨道交通", "project")
    assert _titles(org["regional_pm_south"], project.code, "project") == []
    assert _titles(org["aftersales"], ticket.number, "ticket") == [f"{ticket.number} {ticket.subject}"]
    assert _titles(org["aftersales"], "无法登录", "ticket")
    assert _titles(org["implementer"], ticket.number, "ticket") == []
    assert _titles(org["sales"], "钱实", "person") == ["钱实（implementer）"]
    assert _titles(org["sales"], "implementer", "person") == ["钱实（implementer）"]


def test_an_exact_number_comes_first(org, project):  # noqa: F811
    for i in range(3):
        _ticket(org, project, number=f"TK2026-0000{i}1", subject=f"问题{i}")
    exact = _ticket(org, project, number="TK2026-00001", subject="精确")
    titles = _titles(org["aftersales"], "TK2026-00001", "ticket")
    assert titles[0] == f"{exact.number} 精确"


def test_a_keyword_shorter_than_the_minimum_finds_nothing(org, settings):
    settings.PMIS_SEARCH_MIN_CHARS = 2
    assert search_everything(org["sales"], "钱", limit=5) == []
    assert search_everything(org["sales"], "钱实", limit=5)


def test_suggest_answers_json_grouped_by_kind(client, org, project):  # noqa: F811
    client.force_login(org["project_director"])
    data = json.loads(client.get(reverse("search:suggest"), {"q": project.code}).content)
    assert data["groups"][0]["label"] == "项目"
    hit = data["groups"][0]["hits"][0]
    assert hit["url"] == project.get_absolute_url()
    assert client.get(hit["url"]).status_code == 200  # the link opens for that user
    assert data["more_url"].startswith(reverse("search:results"))


def test_results_page_and_its_htmx_fragment(client, org, project):  # noqa: F811
    client.force_login(org["project_director"])
    page = client.get(reverse("search:results"), {"q": "轨道交通"}).content.decode()
    assert "<h2>项目" in page and "<h2>登记" in page and project.name in page and "<html" in page
    fragment = client.get(reverse("search:results"), {"q": "轨道交通"}, headers={"HX-Request": "true"})
    assert project.name in fragment.content.decode() and "<html" not in fragment.content.decode()
    assert "没有找到" in client.get(reverse("search:results"), {"q": "不存在的客户名"}).content.decode()


def test_the_header_box_is_on_every_page(client, org):
    client.force_login(org["sales"])
    html = client.get(reverse("home")).content.decode()
    assert "data-site-search" in html and reverse("search:suggest") in html and "pmis-search.js" in html


# -- pickers ------------------------------------------------------------------------------------


def _pick(client, source, q="", context=""):
    response = client.get(reverse("search:pick", args=[source]), {"q": q, "context": context})
    return response.status_code, json.loads(response.content)["results"] if response.status_code == 200 else None


def test_pickers_offer_only_what_the_user_may_pick(client, org, project):  # noqa: F811
    client.force_login(org["regional_pm"])
    status, results = _pick(client, "implementer", "钱")
    assert status == 200 and [r["label"] for r in results] == ["钱实（implementer）"]
    assert results[0]["value"] == str(org["implementer"].pk)
    assert _pick(client, "implementer", "王晓明")[1] == []  # a salesperson is no implementer
    assert _pick(client, "project", project.code)[1] == []  # projects are picked by sales and after-sales
    assert client.get(reverse("search:pick", args=["nobody"])).status_code == 404
    client.force_login(org["aftersales"])
    assert [r["value"] for r in _pick(client, "project", "轨道")[1]] == [project.code]


def test_the_reassign_picker_needs_a_task_the_user_may_act_on(client, org, make_registration):
    r = registration_submit(registration=make_registration(), actor=org["sales"])
    task = Task.objects.get(object_id=r.pk, state="open")
    client.force_login(org["business_approver"])
    assert _pick(client, "reassign", "", str(task.pk))[1] == []  # nobody else holds the role in the demo
    client.force_login(org["sales2"])
    assert _pick(client, "reassign", "", str(task.pk))[1] == []
    client.force_login(org["aftersales_manager"])
    _status, results = _pick(client, "ticket_dispatch", "", str(r.region_id))
    assert [x["label"] for x in results] == ["郑北辰（regional_pm）"]
    client.force_login(org["aftersales"])
    assert _pick(client, "ticket_dispatch", "", str(r.region_id))[1] == []


def test_a_refused_ticket_form_keeps_the_chosen_project(client, org, project):  # noqa: F811
    client.force_login(org["aftersales"])
    response = client.post(reverse("aftersales:ticket_new"), {"project_code": project.code, "subject": ""})
    html = response.content.decode()
    assert f'name="project_code" value="{project.code}"' in html
    assert f'value="{project.code} {project.name}"' in html  # the picker shows the choice again


def test_a_project_typed_without_choosing_is_taken_when_exact(client, org, project):  # noqa: F811
    client.force_login(org["aftersales"])
    response = client.post(
        reverse("aftersales:ticket_new"),
        {
            "project_code": "",
            "project_code__search": project.code,
            "subject": "无法登录",
            "reporting_unit": "信息中心",
            "reporter": "张工",
            # within the back-dating policy (aftersales.services.sla.reported_at_check)
            "reported_at": (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "channel": "phone",
            "description": "描述",
        },
    )
    assert response.status_code == 302
    assert Ticket.objects.get().project == project


def test_a_refused_task_assignment_keeps_the_chosen_implementer(client, org, project):  # noqa: F811
    client.force_login(org["regional_pm"])
    response = client.post(
        reverse("projects:task_assign", args=[project.pk]),
        {"type": "verification", "title": "", "assignee": org["implementer"].pk},
    )
    html = response.content.decode()
    assert f'name="assignee" value="{org["implementer"].pk}"' in html
    assert 'value="钱实（implementer）"' in html


def test_initiation_and_team_take_implementers_from_the_picker(client, org, project):  # noqa: F811
    client.force_login(org["regional_pm"])
    page = client.get(reverse("projects:tab", args=[project.pk, "team"])).content.decode()
    assert "data-picker" in page and "钱实（implementer）" in page  # the current implementer as a chip


def test_a_nul_character_in_the_keyword_is_ignored_not_a_server_error(client, org, make_registration):
    registration = make_registration()
    client.force_login(org["sales"])
    for url in (reverse("search:results"), reverse("registrations:mine")):
        response = client.get(url, {"q": "某某\x00地铁"})
        assert response.status_code == 200
    assert _titles(org["sales"], "某某\x00地铁", "registration") == _titles(org["sales"], "某某地铁", "registration")
    assert registration.customer_short_name == "某某地铁"
