import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from delivery.services import acceptance, meetings, satisfaction, training
from projects import workspace
from tests.delivery.conftest import approve_acceptance
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db
TABS = ("meetings", "training", "acceptance", "satisfaction")


def _weekly(org, project, n):
    pm = org["regional_pm"]
    for i in range(n):
        meeting = meetings.meeting_create(
            project=project, actor=pm, kind="weekly", held_on=timezone.localdate() - timedelta(days=7 * i),
            data={"attendees": "项目组", "last_week": f"第 {i} 周完成", "this_week": "联调"},
        )  # fmt: skip
        meetings.meeting_action_add(
            meeting=meeting, actor=pm, title=f"行动项 {i}", owner=org["implementer"],
            due_date=timezone.localdate() + timedelta(days=3),
        )  # fmt: skip


def _sessions(org, project, n):
    pm = org["regional_pm"]
    plan = training.training_plan_create(
        project=project, actor=pm, title=f"培训 {n}", audience="信息中心", content="内容", trainer=pm
    )
    for i in range(n):
        training.training_session_add(
            plan=plan, actor=pm, starts_at=timezone.now(), location="会议室", topic=f"第 {i} 场",
            attendees=[{"name": "张三"}, {"name": "李四"}],
        )  # fmt: skip


def test_each_tab_shows_its_work_in_chinese_whole_or_as_a_fragment(client, org, in_acceptance):
    _weekly(org, in_acceptance, 1)
    acceptance.acceptance_issue_add(project=in_acceptance, actor=org["regional_pm"], title="报表导出偶发超时")
    client.force_login(org["regional_pm"])
    expected = {"meetings": "行动项 0", "training": "系统操作培训", "acceptance": "报表导出偶发超时",
                "satisfaction": "由市场部负责客户满意度调查"}  # fmt: skip
    for slug in TABS:
        url = workspace.tab_url(in_acceptance, slug)
        whole = client.get(url).content.decode()
        fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
        assert expected[slug] in whole and expected[slug] in fragment, slug
        assert "<html" in whole and "<html" not in fragment, slug


def test_a_tabs_query_count_does_not_grow_with_its_rows(client, org, in_acceptance):
    client.force_login(org["regional_pm"])

    def counts():
        return {slug: count_queries(lambda s=slug: client.get(workspace.tab_url(in_acceptance, s))) for slug in TABS}

    _weekly(org, in_acceptance, 1)
    _sessions(org, in_acceptance, 1)
    acceptance.acceptance_issue_add(project=in_acceptance, actor=org["regional_pm"], title="问题 0")
    small = counts()
    _weekly(org, in_acceptance, 4)
    _sessions(org, in_acceptance, 4)
    for i in range(4):
        acceptance.acceptance_issue_add(project=in_acceptance, actor=org["regional_pm"], title=f"问题 {i + 1}")
    assert counts() == small


def test_people_outside_the_project_see_no_tab_and_no_sign_in_sheet(client, org, in_acceptance):
    client.force_login(org["sales2"])
    for slug in TABS:
        assert client.get(workspace.tab_url(in_acceptance, slug)).status_code == 404


def test_the_cm_engineer_decides_from_the_acceptance_tab_and_the_pm_sees_the_result(client, org, in_acceptance):
    acceptance.acceptance_submit(project=in_acceptance, actor=org["regional_pm"])
    url = workspace.tab_url(in_acceptance, "acceptance")
    client.force_login(org["regional_pm"])
    assert 'id="acceptance-decide-form"' not in client.get(url).content.decode()
    client.force_login(org["cm_engineer"])
    assert 'id="acceptance-decide-form"' in client.get(url).content.decode()
    approval = in_acceptance.acceptance_approvals.get()
    response = client.post(
        reverse("delivery:acceptance_decide", args=[in_acceptance.pk, approval.pk, "approve"]),
        {"seen_state": "pending_cm", "comment": ""},
    )
    assert response.status_code == 302 and response["Location"] == url
    approval.refresh_from_db()
    assert approval.state == "pending_service"
    # the second press of the same step is told who decided it
    again = client.post(
        reverse("delivery:acceptance_decide", args=[in_acceptance.pk, approval.pk, "approve"]),
        {"seen_state": "pending_cm", "comment": ""},
        follow=True,
    )
    assert "该环节已由" in again.content.decode()


def test_marketing_sends_a_survey_from_its_inbox_and_sees_the_link_to_give_the_customer(client, org, in_acceptance):
    approve_acceptance(org, in_acceptance)
    url = workspace.tab_url(in_acceptance, "satisfaction")
    client.force_login(org["regional_pm"])  # the PM is told the result but does not send
    pm_page = client.get(url).content.decode()
    assert 'id="survey-send-form"' not in pm_page and "等待市场部发出调查" in pm_page
    client.force_login(org["marketing"])
    step = next(t for t in client.get(reverse("approvals:inbox")).context["page"] if t.step == "satisfaction.send")
    assert step.link == url
    response = client.post(reverse("delivery:survey_send", args=[in_acceptance.pk]), {"contact": "张主任"}, follow=True)
    body = response.content.decode()
    survey = in_acceptance.surveys.get()
    assert "调查已生成" in body and satisfaction.survey_link(survey) in body
    assert 'id="survey-send-form"' not in body  # one survey waits at a time
    client.force_login(org["regional_pm"])
    assert satisfaction.survey_link(survey) not in client.get(url).content.decode()
    client.logout()
    page = client.get(satisfaction.survey_link(survey)).content.decode()
    assert "尊敬的张主任" in page and in_acceptance.name in page


def test_the_survey_list_shows_marketing_every_survey_with_averages_by_region_and_pm(
    client, org, in_acceptance, django_capture_on_commit_callbacks
):
    approve_acceptance(org, in_acceptance)
    client.force_login(org["marketing"])
    page = client.get(reverse("delivery:surveys")).content.decode()
    assert in_acceptance.name in page and "待发送调查" in page  # the project waiting for its survey
    assert "暂无客户满意度回复" in page
    with django_capture_on_commit_callbacks(execute=True):  # as each service's transaction commits
        survey = satisfaction.survey_send(project=in_acceptance, actor=org["marketing"], contact="张主任")
        scores = {"overall": 5, "quality": 4, "service": 5, "timeliness": 3}
        satisfaction.survey_record(survey=survey, actor=org["marketing"], scores=scores)
    response = client.get(reverse("delivery:surveys"))
    assert [s.pk for s in response.context["page"]] == [survey.pk]
    # the averages counted before the answer are not the ones shown after it
    card = _card_rows(response.content.decode())
    assert card["by_region"] == [[in_acceptance.region.name, "1", "4.25", "5.0"]]
    assert card["by_pm"][0][1:] == ["1", "4.25", "5.0"]
    assert response.context["to_send"] == []
    client.force_login(org["regional_pm"])
    assert client.get(reverse("delivery:surveys")).status_code == 403


def _card_rows(body: str) -> dict:
    """The cells of the satisfaction card's two tables, row by row, as the page shows them."""
    found = {}
    for name in ("by_region", "by_pm"):
        table = re.search(rf'id="satisfaction-{name.replace("_", "-")}".*?<tbody>(.*?)</tbody>', body, re.S)
        rows = re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S) if table else []
        found[name] = [[html.unescape(c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)] for row in rows]
    return found


def test_the_averages_above_the_surveys_are_counted_once_per_refresh_period_for_whoever_sees_the_same_projects(
    client, org, in_acceptance, django_capture_on_commit_callbacks
):
    """The card is the 工作台's: kept for the 看板数据刷新周期 and labelled 更新于; the director
    (every project) shares his with the 工作台, 市场部 (the accepted projects) has its own; an
    answer recorded makes both count again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    approve_acceptance(org, in_acceptance)
    with django_capture_on_commit_callbacks(execute=True):
        survey = satisfaction.survey_send(project=in_acceptance, actor=org["marketing"], contact="张主任")
    url = reverse("delivery:surveys")
    client.force_login(org["marketing"])
    first = client.get(url).content.decode()
    assert "更新于" in first and _card_rows(first)["by_region"] == []
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(url).content.decode()
    assert _card_rows(again) == _card_rows(first)
    assert not [q for q in ctx.captured_queries if "GROUPING" in q["sql"]]  # kept, not counted

    client.force_login(org["project_director"])
    assert client.get(reverse("home")).status_code == 200  # counts the director's card on the 工作台
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert not [q for q in ctx.captured_queries if "GROUPING" in q["sql"]]  # the 工作台's figures

    with django_capture_on_commit_callbacks(execute=True):
        satisfaction.survey_record(survey=survey, actor=org["marketing"], scores=dict.fromkeys(satisfaction.SCORES, 4))
    for viewer in ("project_director", "marketing"):
        client.force_login(org[viewer])
        assert _card_rows(client.get(url).content.decode())["by_region"] == [
            [in_acceptance.region.name, "1", "4.0", "4.0"]
        ]


def test_the_team_picker_offers_the_projects_people_only_to_those_who_see_it(client, org, project):
    import json

    def pick(user, q=""):
        client.force_login(user)
        response = client.get(reverse("search:pick", args=["project_team"]), {"q": q, "context": str(project.pk)})
        return {r["value"] for r in json.loads(response.content)["results"]}

    team = pick(org["regional_pm"])
    assert str(org["implementer"].pk) in team and str(org["regional_pm"].pk) in team
    assert str(org["sales2"].pk) not in team and str(org["implementer"].pk) in pick(org["regional_pm"], "钱实")
    assert pick(org["sales2"]) == set()  # outside the project: nobody to pick
