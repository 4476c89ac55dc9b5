import io

import pytest
from django.urls import reverse
from django.utils import timezone

from pmis.org.models import Region
from projects import services
from projects.models import Project, ProjectUserObjectPermission, State
from tests.dates import days_from_today
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db


def test_initiation_page_suggests_the_regional_pm_and_creates_the_project(client, org, dispatched):
    r = dispatched()
    client.force_login(org["project_director"])
    page = client.get(reverse("projects:initiate", args=[r.pk]))
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["pm"] == org["regional_pm"]
    assert form.initial["name"] == "某某市轨道交通集团有限公司电子签章项目"
    year = timezone.localdate().year
    assert form.initial["svn_path"] == f"/svn/projects/北方/{year}/某某市轨道交通集团有限公司电子签章项目"
    response = client.post(
        reverse("projects:initiate", args=[r.pk]),
        {
            "name": form.initial["name"], "overview": "概述", "svn_path": form.initial["svn_path"],
            "feasibility": "可行", "risk": "可控", "pm": org["regional_pm"].pk, "implementers": [org["implementer"].pk],
            "size": "large", "meeting_date": days_from_today(-3), "participants": "王晓明",
            "topics": ["background", "products"],
            "minutes": "",
        },
    )  # fmt: skip
    project = Project.objects.get(registration=r)
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert project.meeting.topic_labels() == ["客户公司背景说明", "使用产品"]
    assert project.size == Project.Size.LARGE


def test_initiation_page_is_closed_to_others(client, org, dispatched):
    r = dispatched()
    for name in ("regional_pm", "sales", "cs_manager"):
        client.force_login(org[name])
        assert client.get(reverse("projects:initiate", args=[r.pk])).status_code in (403, 404), name


def test_registration_detail_offers_initiation_to_the_director(client, org, dispatched):
    r = dispatched()
    client.force_login(org["project_director"])
    assert (
        reverse("projects:initiate", args=[r.pk])
        in client.get(reverse("registrations:detail", args=[r.pk])).content.decode()
    )


def test_non_members_cannot_reach_the_project_or_its_files(client, org, project, upload):
    doc = upload(project, "implementation-plan")
    client.force_login(org["sales2"])
    assert client.get(project.get_absolute_url()).status_code == 404
    assert client.get(reverse("documents:download", args=[doc.pk])).status_code == 404
    client.force_login(org["implementer"])
    assert client.get(project.get_absolute_url()).status_code == 200
    assert client.get(reverse("documents:download", args=[doc.pk])).status_code == 200


def test_licence_files_download_only_for_the_team(client, org, confirmed, upload):
    project = confirmed
    from pmis.catalog.models import Product

    pr = services.product_request_create(
        project=project,
        actor=org["implementer"],
        items=[
            {"product": Product.objects.get(name="签章中间件"), "version": "3", "licence_count": 1, "kind": "standard"}
        ],
    )
    licence = upload(pr, "licence-file", "授权.lic", content=b"\x8a\x01LIC\x00")
    url = reverse("documents:download", args=[licence.pk])
    for name in ("implementer", "regional_pm", "product_dept"):
        client.force_login(org[name])
        assert client.get(url).status_code == 200, name
    for name in ("sales2", "regional_pm_south", "platform_ops"):
        client.force_login(org[name])
        assert client.get(url).status_code == 404, name


def test_a_removed_member_loses_the_page_at_once(client, org, project):
    client.force_login(org["implementer"])
    assert client.get(project.get_absolute_url()).status_code == 200
    services.project_team_set(project=project, actor=org["regional_pm"], pm=org["regional_pm"], implementers=[])
    assert client.get(project.get_absolute_url()).status_code == 404


def test_a_role_or_region_given_opens_its_projects_at_the_next_page(client, org, project, settings):
    """Who may open which project is compiled once per person and process (projects.selectors.
    visible_project_ids_sql): a role or a region given changes what he sees at his next page,
    and a colleague holding the same role does not see through his statement."""
    from django.contrib.auth.models import Group

    from pmis.org.models import User
    from pmis.org.services import region_scope_grant, region_scope_revoke

    settings.PMIS_LAYOUT_CACHE = "default"  # as served: the roles and regions read from the layout
    pms = Group.objects.get(name="regional_pm")
    outsider, colleague = org["sales2"], User.objects.create(username="pm-colleague", display_name="另一位经理")
    colleague.groups.add(pms)
    client.force_login(outsider)
    directors = Group.objects.get(name="project_director")
    outsider.groups.add(directors)  # every project, read through the director's kept statement
    assert client.get(project.get_absolute_url()).status_code == 200
    outsider.groups.remove(directors)  # and none of them once the role is taken
    assert client.get(project.get_absolute_url()).status_code == 404
    outsider.groups.add(pms)  # a PM of no region yet
    assert client.get(project.get_absolute_url()).status_code == 404
    region_scope_grant(user=outsider, region=project.region)
    assert client.get(project.get_absolute_url()).status_code == 200
    assert project.name in client.get(reverse("projects:all")).content.decode()
    client.force_login(colleague)
    assert client.get(project.get_absolute_url()).status_code == 404
    client.force_login(outsider)
    region_scope_revoke(user=outsider, region=project.region)
    assert client.get(project.get_absolute_url()).status_code == 404


def test_refused_transition_names_the_missing_items(client, org, project):
    client.force_login(org["regional_pm"])
    client.post(reverse("projects:transition", args=[project.pk]), {"action": "start_requirements"})
    response = client.post(
        reverse("projects:transition", args=[project.pk]), {"action": "start_implementation"}, follow=True
    )
    assert "不能进入实施" in response.content.decode() and "需求确认单尚未确认" in response.content.decode()
    project.refresh_from_db()
    assert project.state == State.REQUIREMENTS


def test_project_page_shows_gate_team_and_checklist(client, org, project):
    client.force_login(org["regional_pm"])
    expected = {
        "overview": ("项目会议交接", "开始需求确认"),
        "team": ("项目管理员", "钱实", "立项专家 / 开发经理"),
        "requirements": ("需求清单及跟进表",),
        "documents": ("项目实施方案",),
    }
    for slug, texts in expected.items():
        body = client.get(reverse("projects:tab", args=[project.pk, slug])).content.decode()
        for text in texts:
            assert text in body, (slug, text)


def _many_projects(org, n, start=0):
    region = Region.objects.get(code="north")
    projects = Project.objects.bulk_create(
        [
            Project(code=f"PX{start + i:05d}", name=f"批量项目{start + i}", kind="local", customer_name="客户",
                    region=region, pm=org["regional_pm"])
            for i in range(n)
        ]
    )  # fmt: skip
    from django.contrib.auth.models import Permission

    view = Permission.objects.get(codename="view_project")
    ProjectUserObjectPermission.objects.bulk_create(
        [ProjectUserObjectPermission(user=org["implementer"], permission=view, content_object=p) for p in projects]
    )


@pytest.mark.parametrize(
    ("username", "url"),
    [("project_director", "projects:all"), ("implementer", "projects:mine"), ("regional_pm", "projects:all")],
)
def test_project_lists_keep_a_constant_query_count(client, org, username, url):
    _many_projects(org, 3)
    client.force_login(org[username])
    small = count_queries(lambda: client.get(reverse(url)))
    _many_projects(org, 40, start=3)
    response = client.get(reverse(url))
    assert response.context["page"].paginator.count == 43
    assert count_queries(lambda: client.get(reverse(url))) == small


def test_project_list_filters_and_excel_export(client, org, project):
    from openpyxl import load_workbook

    _many_projects(org, 5)
    client.force_login(org["project_director"])
    page = client.get(reverse("projects:all"), {"q": "某某市轨道"}).context["page"]
    assert [p.pk for p in page] == [project.pk]
    assert (
        client.get(reverse("projects:all"), {"region": Region.objects.get(code="south").pk})
        .context["page"]
        .paginator.count
        == 0
    )
    assert client.get(reverse("projects:all"), {"state": "initiated"}).context["page"].paginator.count == 6
    response = client.get(reverse("projects:all"), {"export": "xlsx", "kind": "local"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[1][:3] == ("项目编号", "项目名称", "类别") and len(rows) == 8


def test_all_projects_is_for_directors_and_regional_pms(client, org):
    client.force_login(org["implementer"])
    assert client.get(reverse("projects:all")).status_code == 403


@pytest.mark.parametrize("username", ["cm_engineer", "executive"])
def test_the_cm_engineer_and_the_executives_open_every_project_from_the_side_bar(client, org, username):
    """002: the CM engineer approves every project's acceptance report, the executives decide after
    any rejected trial run; both see every project, so both have 全部项目 in the side bar."""
    north = Project.objects.create(code="PJ2024-0101", name="北方项目", kind="local", customer_name="甲",
                                   region=Region.objects.get(code="north"), pm=org["regional_pm"])  # fmt: skip
    south = Project.objects.create(code="PJ2024-0102", name="南方项目", kind="local", customer_name="乙",
                                   region=Region.objects.get(code="south"), pm=org["regional_pm_south"])  # fmt: skip
    client.force_login(org[username])
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("projects:all")}"' in home
    page = client.get(reverse("projects:all"))
    assert page.status_code == 200
    assert {p.pk for p in page.context["page"]} >= {north.pk, south.pk}


def test_weekly_missing_page(client, org, project):
    client.force_login(org["project_director"])
    assert project.name in client.get(reverse("projects:weekly_missing")).content.decode()
    client.force_login(org["regional_pm"])
    client.post(reverse("projects:weekly_report", args=[project.pk]), {"last_week": "部署", "this_week": "联调"})
    client.force_login(org["project_director"])
    assert project.name not in client.get(reverse("projects:weekly_missing")).content.decode()
    client.force_login(org["regional_pm"])
    assert client.get(reverse("projects:weekly_missing")).status_code == 403


def test_product_request_form_files_the_request(client, org, confirmed):
    project = confirmed
    from pmis.catalog.models import Product

    client.force_login(org["implementer"])
    page = client.get(reverse("projects:product_request_new", args=[project.pk]))
    assert project.registration.number in page.content.decode()
    response = client.post(
        reverse("projects:product_request_new", args=[project.pk]),
        {
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "1",
            "items-MAX_NUM_FORMS": "1000",
            "items-0-product": Product.objects.get(name="时间戳").pk,
            "items-0-version": "V2",
            "items-0-licence_count": "3",
            "items-0-kind": "standard",
            "note": "",
        },
    )
    pr = project.product_requests.get()
    assert response["Location"] == pr.get_absolute_url()
    assert pr.items.get().licence_count == 3


def test_project_page_query_count_does_not_grow_with_its_rows(client, org, project):
    from projects.models import DeliveryTask, RequirementItem

    def add(n):
        RequirementItem.objects.bulk_create(
            [RequirementItem(project=project, title=f"需求{i}", created_by=org["regional_pm"]) for i in range(n)]
        )
        DeliveryTask.objects.bulk_create(
            [
                DeliveryTask(project=project, type="other", title=f"任务{i}", assignee=org["implementer"])
                for i in range(n)
            ]
        )

    add(2)
    client.force_login(org["regional_pm"])
    client.get(project.get_absolute_url())  # warm the content-type cache
    small = count_queries(lambda: client.get(project.get_absolute_url()))
    add(25)
    assert count_queries(lambda: client.get(project.get_absolute_url())) == small


def test_an_incomplete_weekly_report_keeps_what_was_typed(client, org, project):
    client.force_login(org["regional_pm"])
    response = client.post(
        reverse("projects:weekly_report", args=[project.pk]), {"last_week": "完成测试环境部署与联调", "this_week": ""}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "请填写本周计划" in body
    assert "完成测试环境部署与联调</textarea>" in body
    assert not project.weekly_reports.exists()


def test_the_project_team_can_read_the_registration_it_came_from(client, org, project):
    url = reverse("registrations:detail", args=[project.registration_id])
    client.force_login(org["implementer"])
    assert client.get(url).status_code == 200
    client.force_login(org["regional_pm_south"])
    assert client.get(url).status_code == 404


def test_directors_post_news_and_others_only_read_it(client, org, project):
    from projects.models import NewsItem

    client.force_login(org["project_director"])
    response = client.post(reverse("projects:news"), {"title": "", "project_code": "NOPE"})
    assert "未找到项目编号" in response.content.decode()
    client.post(reverse("projects:news"), {"title": "华北区 11 月完成 3 个项目验收", "project_code": project.code})
    assert NewsItem.objects.get().project == project
    client.force_login(org["implementer"])
    assert "华北区 11 月完成 3 个项目验收" in client.get(reverse("projects:news")).content.decode()
    assert client.post(reverse("projects:news"), {"title": "x"}).status_code == 403
