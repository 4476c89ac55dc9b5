import pytest
from django.urls import reverse

from approvals.selectors import open_tasks_for
from operations import services
from operations.models import Incident, Inspection, OnsiteVisit
from pmis.org.models import Province
from projects.workspace import tab_url

from .conftest import at

pytestmark = pytest.mark.django_db


def _body(response):
    return response.content.decode()


def test_the_workspace_tabs_show_operations_to_the_team_and_not_to_others(client, org, live):
    client.force_login(org["regional_pm"])
    for slug, text in (("incidents", "登记突发事件"), ("onsite", "发起现场服务"), ("inspections", "设置巡检计划")):
        response = client.get(tab_url(live, slug))
        assert response.status_code == 200 and text in _body(response), slug
    fragment = client.get(tab_url(live, "incidents"), HTTP_HX_REQUEST="true")
    assert "<html" not in _body(fragment) and "没有突发事件" in _body(fragment)
    client.force_login(org["sales"])
    assert client.get(tab_url(live, "incidents")).status_code == 404


def test_report_an_incident_from_the_page_and_take_it_to_its_report(client, org, live, time_machine):
    time_machine.move_to(at(2026, 6, 1, 10, 0), tick=False)
    client.force_login(org["implementer"])
    response = client.post(
        reverse("operations:incident_new", args=[live.pk]),
        {
            "title": "签章服务中断",
            "reporter": "张工",
            "channel": "phone",
            "level": "3",
            "symptoms": "全部超时",
            "reported_at": "2026-06-01T09:58",
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302 and response.url == incident.get_absolute_url()
    page = _body(client.get(incident.get_absolute_url()))
    assert "处理中" in page and "未解决将自动升级应急小组" in page
    services.incidents_sweep(now=at(2026, 6, 1, 10, 30))
    client.force_login(org["regional_pm"])
    page = _body(client.get(incident.get_absolute_url()))
    assert "已升级应急小组" in page and "建议升级为二级" in page
    client.post(reverse("operations:incident_action", args=[incident.pk, "recover"]), {"note": "切换备用节点"})
    client.post(
        reverse("operations:incident_action", args=[incident.pk, "report"]),
        {"cause": "节点宕机", "fix": "切换", "process": "告警后切换", "prevention": "双活"},
    )
    client.force_login(org["emergency"])
    client.post(reverse("operations:incident_action", args=[incident.pk, "review"]), {"decision": "approve"})
    incident.refresh_from_db()
    assert incident.state == Incident.State.ARCHIVED


def test_a_refused_report_keeps_what_was_typed(client, org, live, time_machine):
    time_machine.move_to(at(2026, 6, 1, 10, 0), tick=False)
    incident = services.incident_report(
        project=live,
        actor=org["regional_pm"],
        data={"title": "停服", "reporter": "张工", "channel": "phone", "symptoms": "x", "level": "3"},
    )
    services.incident_recover(incident=incident, actor=org["regional_pm"], note="恢复")
    client.force_login(org["regional_pm"])
    response = client.post(
        reverse("operations:incident_action", args=[incident.pk, "report"]),
        {"cause": "磁盘写满", "fix": "清理日志", "process": "", "prevention": "日志轮转"},
    )
    body = _body(response)
    assert response.status_code == 200 and "磁盘写满" in body and "日志轮转" in body and "解决经过" in body


def test_the_engineer_records_the_visit_from_the_phone_page(client, org, live, time_machine):
    time_machine.move_to(at(2026, 6, 1, 10, 0), tick=False)
    visit = services.onsite_request(
        project=live,
        actor=org["aftersales"],
        province=Province.objects.get(name="北京"),
        address="机房",
        reason="硬件故障",
        engineer=org["implementer"],
    )
    client.force_login(org["implementer"])
    page = _body(client.get(visit.get_absolute_url()))
    assert "我已到达现场" in page and "该省无分支机构，48 小时" in page
    client.post(reverse("operations:onsite_action", args=[visit.pk, "arrive"]))
    response = client.post(reverse("operations:onsite_action", args=[visit.pk, "depart"]), {"note": ""})
    assert response.status_code == 200 and "请填写现场工作记录" in _body(response)
    client.post(reverse("operations:onsite_action", args=[visit.pk, "depart"]), {"note": "已修复"})
    visit.refresh_from_db()
    assert visit.state == OnsiteVisit.State.DONE and visit.arrival_met is True


def test_the_inspection_page_records_each_item(client, org, live):
    services.inspection_plan_set(
        project=live, actor=org["regional_pm"], day_of_month=5, inspector=org["implementer"], checklist="磁盘\n备份"
    )
    services.inspections_open_due(today=at(2026, 6, 5, 8, 0).date())
    inspection = Inspection.objects.get()
    client.force_login(org["implementer"])
    url = reverse("operations:inspection_record", args=[inspection.pk])
    refused = client.post(url, {"ok_0": "1", "ok_1": "0", "note_1": "", "summary": "备份失败"})
    assert "异常项须说明情况：备份" in _body(refused) and "备份失败" in _body(refused)
    client.post(url, {"ok_0": "1", "ok_1": "0", "note_1": "备份任务未启动，已修复", "summary": "一项异常已处理"})
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.DONE and not open_tasks_for(inspection).exists()


def test_the_incident_list_filters_and_exports(client, org, live, time_machine):
    time_machine.move_to(at(2026, 6, 1, 10, 0), tick=False)
    for level in ("1", "3"):
        services.incident_report(
            project=live,
            actor=org["regional_pm"],
            data={"title": f"事件{level}", "reporter": "张工", "channel": "phone", "symptoms": "x", "level": level},
        )
    client.force_login(org["emergency"])
    body = _body(client.get(reverse("operations:incidents"), {"level": "1"}))
    assert "事件1" in body and "事件3" not in body
    export = client.get(reverse("operations:incidents"), {"level": "1", "export": "xlsx"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("operations:incidents"), {"level": "9"}).status_code == 400
