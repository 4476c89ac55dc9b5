"""A list filter value that is not valid is refused with a Chinese message — the list and its
export never come back whole with the filter silently dropped. The PM filter offers whoever is
the PM of a visible project, not only regional PMs."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects import services

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def two_projects(org, project, dispatched):
    """One project led by the regional PM, one by an implementer."""
    other = services.project_initiate(
        registration=dispatched(), actor=org["project_director"], name="第二个项目", overview="", svn_path="",
        feasibility="可行", risk="可控", pm=org["regional_pm"],
    )  # fmt: skip
    services.project_team_set(project=other, actor=org["project_director"], pm=org["implementer"], implementers=[])
    return project, other


def test_a_pm_who_is_not_a_regional_pm_can_be_chosen(client, org, two_projects):
    first, other = two_projects
    implementer = org["implementer"]
    client.force_login(org["project_director"])
    page = client.get(reverse("projects:all")).content.decode()
    assert 'data-url="/search/pick/project_pm/"' in page  # a search-as-you-type picker, not a datalist
    offered = client.get(reverse("search:pick", args=["project_pm"]), {"q": "钱"}).json()["results"]
    assert [row["value"] for row in offered] == [str(implementer.pk)]
    # chosen in the picker (the id), or typed without script (account or name)
    for params in ({"pm": implementer.pk}, {"pm__search": implementer.username}, {"pm__search": str(implementer)}):
        response = client.get(reverse("projects:all"), params)
        body = response.content.decode()
        assert response.status_code == 200 and other.code in body and first.code not in body
    # the choice is kept in the URL and shown in the box; the export follows the same filter
    response = client.get(reverse("projects:all"), {"pm": implementer.pk, "pm__search": "钱实（implementer）"})
    body = response.content.decode()
    assert f'name="pm" value="{implementer.pk}"' in body and 'value="钱实（implementer）"' in body
    assert f"pm={implementer.pk}" in response.context["list"].export_url()
    assert "pm__search" not in "".join(name for name, _ in response.context["list"].kept_params())
    export = client.get(reverse("projects:all"), {"pm": implementer.pk, "export": "xlsx"})
    assert export["Content-Type"] == XLSX
    rows = list(load_workbook(io.BytesIO(export.content)).active.values)
    assert [row[0] for row in rows[2:]] == [other.code]


def test_my_projects_offers_only_the_pms_of_my_own_projects(client, org, two_projects):
    client.force_login(org["implementer"])  # on the first project's team, PM of the second
    page = client.get(reverse("projects:mine")).content.decode()
    assert 'data-url="/search/pick/project_pm/?context=mine"' in page
    offered = client.get(reverse("search:pick", args=["project_pm"]), {"context": "mine"}).json()["results"]
    assert {row["value"] for row in offered} == {str(org["regional_pm"].pk), str(org["implementer"].pk)}
    client.force_login(org["rd_expert"])  # on no project by name
    assert client.get(reverse("search:pick", args=["project_pm"]), {"context": "mine"}).json()["results"] == []


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"pm": "sales2"}, "不是您可查看的项目的项目经理"),
        ({"pm": "", "pm__search": "没有这个人"}, "“没有这个人”不是您可查看的项目的项目经理"),
        ({"pm": "999999"}, "不是您可查看的项目的项目经理"),
        ({"state": "nonsense"}, "没有“nonsense”这个阶段"),
        ({"region": "999999"}, "没有这个区域"),
    ],
)
def test_an_invalid_filter_is_refused_not_ignored(client, org, two_projects, params, message):
    first, other = two_projects
    client.force_login(org["project_director"])
    response = client.get(reverse("projects:all"), params)
    body = response.content.decode()
    assert response.status_code == 400 and "筛选条件无效" in body and message in body
    assert first.code not in body and other.code not in body
    export = client.get(reverse("projects:all"), {**params, "export": "xlsx"})
    assert export.status_code == 400 and export["Content-Type"] != XLSX


def test_my_projects_refuses_an_invalid_filter_too(client, org, two_projects):
    client.force_login(org["regional_pm"])
    response = client.get(reverse("projects:mine"), {"kind": "nonsense"})
    assert response.status_code == 400 and "没有“nonsense”这个类别" in response.content.decode()


def test_registration_lists_refuse_invalid_filters(client, org):
    client.force_login(org["sales"])
    response = client.get(reverse("registrations:mine"), {"state": "nonsense"})
    assert response.status_code == 400 and "没有“nonsense”这个状态" in response.content.decode()
    client.force_login(org["business_approver"])
    response = client.get(reverse("registrations:queue"), {"since": "2026-11-30", "until": "2026-11-01"})
    assert response.status_code == 400 and "结束日期不能早于开始日期" in response.content.decode()


def test_ticket_list_refuses_an_invalid_filter(client, org):
    client.force_login(org["aftersales"])
    response = client.get(reverse("aftersales:tickets"), {"queue": "all", "state": "nonsense"})
    assert response.status_code == 400 and "筛选条件无效" in response.content.decode()
