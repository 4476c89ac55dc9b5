import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from aftersales import services
from aftersales.models import Ticket
from pmis.worktime.models import SlaPolicy
from tests.helpers import count_queries

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def june(time_machine):
    """The tickets below are reported on 2026-06-01 09:00; the clock stands an hour later."""
    time_machine.move_to(datetime(2026, 6, 1, 10, tzinfo=SH))


def _tickets(org, project, n):
    for i in range(n):
        t = services.ticket_create(
            project=project,
            actor=org["aftersales"],
            data={
                "subject": f"问题{i}", "reporting_unit": "单位", "reporter": "张工", "channel": "email",
                "description": "描述", "reported_at": datetime(2026, 6, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
            },
        )  # fmt: skip
        t = services.ticket_triage(ticket=t, actor=org["aftersales"], severity=SlaPolicy.objects.get(name="中等"))
        services.ticket_assign(ticket=t, actor=org["aftersales"], to=org["aftersales"])


@pytest.mark.parametrize("queue", ["mine", "open", "breached", "all"])
def test_ticket_queues_keep_a_constant_query_count(client, org, project, queue):
    _tickets(org, project, 3)
    client.force_login(org["aftersales"])
    client.get(reverse("aftersales:tickets"), {"queue": queue})
    small = count_queries(lambda: client.get(reverse("aftersales:tickets"), {"queue": queue}))
    _tickets(org, project, 30)
    assert count_queries(lambda: client.get(reverse("aftersales:tickets"), {"queue": queue})) == small


def test_ticket_pages_are_closed_to_other_roles(client, org, project):
    _tickets(org, project, 1)
    ticket = Ticket.objects.get()
    for name in ("sales", "implementer", "regional_pm_south"):
        client.force_login(org[name])
        assert client.get(ticket.get_absolute_url()).status_code == 404, name
    client.force_login(org["sales"])
    assert client.get(reverse("aftersales:tickets")).status_code == 403
    assert client.get(reverse("aftersales:ticket_new")).status_code == 403
    assert client.get(reverse("aftersales:metrics")).status_code == 403


def test_ticket_form_is_the_problem_report(client, org, project):
    client.force_login(org["aftersales"])
    body = client.get(reverse("aftersales:ticket_new")).content.decode()
    for label in ("问题主题", "申报单位", "申报人", "申报时间", "当前情况", "问题描述", "时间要求", "申报渠道"):
        assert label in body
    response = client.post(reverse("aftersales:ticket_new"), {"project_code": "NOPE", "subject": "x"})
    assert "未找到项目编号" in response.content.decode()


def test_metrics_page_and_export(client, org, project):
    from openpyxl import load_workbook

    _tickets(org, project, 2)
    client.force_login(org["aftersales_manager"])
    page = client.get(reverse("aftersales:metrics"), {"month": "2026-06"})
    assert page.status_code == 200 and page.context["overall"]["total"] == 2
    response = client.get(reverse("aftersales:metrics"), {"month": "2026-06", "export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[1][0] == "分组" and rows[-1][0] == "合计" and rows[-1][1] == 2


def test_metrics_are_kept_for_the_refresh_policy_and_counted_again_on_request(client, org, project, settings):
    """Every manager who opens a month within one 看板数据刷新周期 sees the figures of one count,
    told when it was taken; 重新统计 counts now, and the next visit sees that count."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PMIS_LAYOUT_CACHE = "default"
    cache.clear()
    _tickets(org, project, 2)
    client.force_login(org["aftersales_manager"])
    url = reverse("aftersales:metrics")
    first = client.get(url, {"month": "2026-06"})
    assert first.context["overall"]["total"] == 2 and "统计于" in first.content.decode()

    _tickets(org, project, 1)
    client.force_login(org["project_director"])
    with CaptureQueriesContext(connection) as ctx:
        kept = client.get(url, {"month": "2026-06"})
    assert kept.context["overall"]["total"] == 2
    assert kept.context["counted_at"] == first.context["counted_at"]
    assert not [q for q in ctx.captured_queries if "aftersales_ticket" in q["sql"]]
    assert 'action="?month=2026-06"' in kept.content.decode()
    # a link followed again (a bookmark, a reload) counts nothing: only the button does
    assert client.get(url, {"month": "2026-06", "recount": "1"}).context["overall"]["total"] == 2

    recounted = client.post(f"{url}?month=2026-06", follow=True)
    assert recounted.redirect_chain[-1][0] == f"{url}?month=2026-06"
    assert recounted.context["overall"]["total"] == 3 and "已重新统计" in recounted.content.decode()
    assert client.get(url, {"month": "2026-06"}).context["overall"]["total"] == 3
    # another month, region or grouping is its own count; an export is always counted now
    assert client.get(url, {"month": "2026-05"}).context["overall"]["total"] == 0
    _tickets(org, project, 1)
    export = client.get(url, {"month": "2026-06", "export": "xlsx"})
    from openpyxl import load_workbook

    assert list(load_workbook(io.BytesIO(export.content)).active.values)[-1][1] == 4


def test_every_ticket_is_counted_only_as_far_as_the_figures_are(client, org, project, settings):
    """售后问题·全部 of two hundred thousand tickets is not counted whole on each visit: past
    PMIS_FIGURE_COUNT_LIMIT (and the pages around the one shown) it reads "N+", and each page
    still shows its own rows in order."""
    _tickets(org, project, 5)
    settings.PMIS_LIST_PAGE_SIZE, settings.PMIS_FIGURE_COUNT_LIMIT = 1, 1
    client.force_login(org["aftersales"])
    url = reverse("aftersales:tickets")
    first = client.get(url, {"queue": "all", "sort": "number"})
    assert 'data-total="3+"' in first.content.decode()
    numbers = sorted(Ticket.objects.values_list("number", flat=True))
    assert [t.number for t in first.context["page"].object_list] == numbers[:1]
    fifth = client.get(url, {"queue": "all", "sort": "number", "page": 5})
    assert [t.number for t in fifth.context["page"].object_list] == numbers[4:5]
    settings.PMIS_FIGURE_COUNT_LIMIT = 9999
    assert "共 5 条，第 1 / 5 页" in client.get(url, {"queue": "all"}).content.decode()  # counted whole


def test_a_list_visited_again_is_planned_once_per_kept_connection_and_still_shows_new_rows(
    client, org, project, monkeypatch
):
    """On connections kept between requests, a bounded list's count and page ids asked a second
    time with the same values are prepared, then only executed (pmis.statements.
    run_when_repeated); the total and the rows follow the data all the same, and a list whose
    values change at each visit is not prepared."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    _tickets(org, project, 2)
    client.force_login(org["aftersales"])
    url = reverse("aftersales:tickets")

    def visit(**params):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"queue": "all", **params})
        statements = [
            q["sql"] for q in ctx.captured_queries if "aftersales_ticket" in q["sql"] or "EXECUTE" in q["sql"]
        ]
        return response, statements

    _, plain = visit()
    assert [s for s in plain if s.startswith("SELECT COUNT(*)")]  # once: run as it is
    _, prepared = visit()
    assert [s for s in prepared if s.startswith("PREPARE") and "COUNT(*)" in s]  # again: prepared
    third, executed = visit()
    assert [s for s in executed if s.startswith("EXECUTE pmis_kept_")], executed
    assert not [s for s in executed if "COUNT(*)" in s]  # neither planned nor sent again
    assert "共 2 条" in third.content.decode()

    _tickets(org, project, 1)
    fourth, _ = visit()
    assert "共 3 条" in fourth.content.decode()
    assert {t.pk for t in fourth.context["page"].object_list} == set(Ticket.objects.values_list("pk", flat=True))
    # a keyword typed once is run, not prepared
    _, searched = visit(q="问题0")
    assert not [s for s in searched if s.startswith("PREPARE")]


def test_handover_page_is_closed_to_outsiders(client, org, accepted):
    handover = services.handover_submit(project=accepted, actor=org["regional_pm"])
    client.force_login(org["sales2"])
    assert client.get(handover.get_absolute_url()).status_code == 404
    client.force_login(org["aftersales"])
    assert "材料审核" in client.get(handover.get_absolute_url()).content.decode()


def test_a_refused_audit_keeps_the_verdicts_and_notes(client, org, accepted):
    handover = services.handover_submit(project=accepted, actor=org["regional_pm"])
    item = handover.items.get(code="summary-report")
    client.force_login(org["aftersales"])
    data = {f"verdict_{i.pk}": "ok" for i in handover.items.all()}
    data[f"verdict_{item.pk}"] = "wrong"
    data[f"note_{handover.items.get(code='issue-summary').pk}"] = "页码缺失"
    data["comment"] = "请补充"
    response = client.post(reverse("aftersales:handover_decide", args=[handover.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200 and "请写明问题" in body
    assert 'value="页码缺失"' in body and 'value="请补充"' in body
    assert '<option value="wrong" selected>' in body


def test_the_handover_form_offers_only_the_projects_route(client, org, accepted, accepted_saas):
    from aftersales.models import Handover

    client.force_login(org["regional_pm"])
    body = client.get(reverse("aftersales:handover_new", args=[accepted_saas.pk])).content.decode()
    assert 'value="customer_success"' in body and 'value="system_service"' not in body
    assert "客户成功负责人" in body
    response = client.post(
        reverse("aftersales:handover_new", args=[accepted_saas.pk]), {"route": "system_service", "note": "请接收"}
    )
    assert response.status_code == 200 and not Handover.objects.exists()
    assert 'value="请接收"' in response.content.decode() or "请接收" in response.content.decode()
    body = client.get(reverse("aftersales:handover_new", args=[accepted.pk])).content.decode()
    assert 'value="system_service"' in body and 'value="customer_success"' not in body


def _ticket(org, project, reported, severity):
    t = services.ticket_create(
        project=project,
        actor=org["aftersales"],
        data={
            "subject": "签章失败", "reporting_unit": "单位", "reporter": "张工", "channel": "phone",
            "description": "描述", "reported_at": reported,
        },
    )  # fmt: skip
    return services.ticket_triage(ticket=t, actor=org["aftersales"], severity=SlaPolicy.objects.get(name=severity))


def test_the_ticket_page_speaks_in_hours_and_days(client, org, project, time_machine):
    ten = datetime(2026, 6, 1, 10, tzinfo=SH)
    time_machine.move_to(ten, tick=False)
    t = _ticket(org, project, ten, "严重")  # due 18:00
    services.ticket_assign(ticket=t, actor=org["aftersales"], to=org["aftersales"])
    services.ticket_start(ticket=t, actor=org["aftersales"])
    time_machine.move_to(datetime(2026, 6, 1, 12, tzinfo=SH), tick=False)
    services.ticket_pause(ticket=t, actor=org["aftersales"], reason="等待客户提供日志")
    client.force_login(org["aftersales"])
    body = client.get(t.get_absolute_url()).content.decode()
    assert "计时暂停中（剩余 6 小时）" in body and "21600" not in body
    assert "严重（自然时间（7×24），8 小时）" in body and "480 分钟" not in body
    general = _ticket(org, project, ten, "一般")
    body = client.get(general.get_absolute_url()).content.decode()
    assert "一般（自然时间（7×24），7 天）" in body and "10080" not in body


def test_assigning_back_after_a_dispatch_ends_the_on_site_support(client, org, project):
    t = _ticket(org, project, datetime(2026, 6, 1, 9, 30, tzinfo=SH), "紧急")
    client.force_login(org["aftersales_manager"])
    action = "aftersales:ticket_action"
    client.post(reverse(action, args=[t.pk, "dispatch"]), {"to": org["regional_pm"].pk})
    t.refresh_from_db()
    assert t.dispatched_to_pm and t.assignee == org["regional_pm"]
    assert "区域项目经理现场支持" in client.get(t.get_absolute_url()).content.decode()
    client.post(reverse(action, args=[t.pk, "assign"]), {"to": org["aftersales"].pk})
    t.refresh_from_db()
    assert t.assignee == org["aftersales"] and t.dispatched_to_pm is False
    assert "区域项目经理现场支持" not in client.get(t.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "query, message",
    [({"month": "2026-13"}, "月份应写作“年-月”"), ({"region": "999"}, "没有这个区域"), ({"group_by": "x"}, "这种分组")],
)
def test_the_metrics_page_refuses_a_filter_it_cannot_apply(client, org, project, query, message):
    _tickets(org, project, 1)
    client.force_login(org["aftersales_manager"])
    response = client.get(reverse("aftersales:metrics"), query)
    body = response.content.decode()
    assert response.status_code == 400 and "筛选条件无效" in body and message in body
    assert 'id="overall"' not in body  # no figures of a month or region other than the one asked for
    export = client.get(reverse("aftersales:metrics"), {**query, "export": "xlsx"})
    assert export.status_code == 400 and export["Content-Type"].startswith("text/html")


def test_an_action_the_state_no_longer_allows_goes_back_to_the_ticket_with_a_message(client, org, project):
    _tickets(org, project, 1)
    ticket = Ticket.objects.get()
    client.force_login(org["aftersales"])
    # 恢复计时 on a ticket that is not paused (a page opened while it was, posted after someone resumed it)
    response = client.post(reverse("aftersales:ticket_action", args=[ticket.pk, "resume"]))
    assert response.status_code == 302 and response["Location"] == reverse("aftersales:ticket", args=[ticket.pk])
    page = client.get(response["Location"]).content.decode()
    assert "当前状态下不能执行这个操作" in page
