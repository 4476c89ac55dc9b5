import html

import pytest
from django.urls import reverse

from approvals.selectors import open_tasks_for
from changes import services
from changes.models import Bug, ChangeRequest, Release
from projects import workspace

from .conftest import BUG, CHANGE, RELEASE, at

pytestmark = pytest.mark.django_db


def _body(response) -> str:
    return html.unescape(response.content.decode())


def test_the_tabs_list_the_records_and_offer_filing(client, org, live):
    services.change_request_submit(project=live, actor=org["implementer"], data=CHANGE)
    services.bug_file(project=live, actor=org["implementer"], data=BUG)
    client.force_login(org["implementer"])
    for slug, text, new in (
        ("changes", CHANGE["title"], "提交需求变更申请"),
        ("bugs", BUG["title"], "提交 BUG"),
        ("releases", "暂无版本发布", "提交版本发布申请"),
    ):
        page = client.get(workspace.tab_url(live, slug))
        assert page.status_code == 200
        assert text in _body(page) and new in _body(page)
        fragment = client.get(workspace.tab_url(live, slug), HTTP_HX_REQUEST="true")
        assert "<html" not in fragment.content.decode() and text in _body(fragment)
    client.force_login(org["sales2"])  # not on the team
    assert client.get(workspace.tab_url(live, "changes")).status_code in (403, 404)


def test_filing_a_change_from_a_ticket_and_answering_the_review_on_its_page(client, org, live, ticket_for):
    from django.utils import timezone

    ticket = ticket_for(timezone.now())
    client.force_login(org["aftersales"])
    page = _body(client.get(reverse("aftersales:ticket", args=[ticket.pk])))
    assert "由此问题发起" in page
    url = reverse("changes:change_new", args=[live.pk]) + f"?ticket={ticket.pk}"
    assert ticket.subject in _body(client.get(url))  # the form starts from the ticket
    response = client.post(url, {**CHANGE, "ticket": ticket.pk})
    cr = ChangeRequest.objects.get()
    assert response.status_code == 302 and cr.ticket == ticket
    assert cr.number in _body(client.get(reverse("aftersales:ticket", args=[ticket.pk])))
    client.force_login(org["regional_pm"])
    page = _body(client.get(cr.get_absolute_url()))
    assert "登记用户方初审" in page and ticket.number in page
    refused = client.post(reverse("changes:change_action", args=[cr.pk, "review"]), {"review-approved": "yes"})
    assert refused.status_code == 200 and "用户方初审意见" in _body(refused)
    client.post(
        reverse("changes:change_action", args=[cr.pk, "review"]), {"review-approved": "yes", "review-answer": "同意"}
    )
    cr.refresh_from_db()
    assert cr.state == ChangeRequest.State.EVALUATING


def test_someone_else_sees_no_form_and_cannot_post(client, org, live):
    cr = services.change_request_submit(project=live, actor=org["implementer"], data=CHANGE)
    client.force_login(org["implementer"])
    assert "当前没有需要您办理的环节" in _body(client.get(cr.get_absolute_url()))
    response = client.post(
        reverse("changes:change_action", args=[cr.pk, "review"]), {"review-approved": "yes", "review-answer": "同意"}
    )
    assert "您不能办理" in _body(response)
    cr.refresh_from_db()
    assert cr.state == ChangeRequest.State.PENDING_REVIEW


def test_a_downtime_release_with_short_notice_is_refused_on_the_form(client, org, live, time_machine):
    time_machine.move_to(at(2026, 12, 10, 11, 0), tick=False)
    client.force_login(org["implementer"])
    data = {**RELEASE, "planned_at": "2026-12-10T20:00", "downtime": "on", "customer_notified_on": "2026-12-09"}
    response = client.post(reverse("changes:release_new", args=[live.pk]), data)
    body = _body(response)
    assert response.status_code == 200 and "提前不足 3 天" in body and 'value="V3.2.1"' in body
    assert not Release.objects.exists()
    data["customer_notified_on"] = "2026-12-07"
    response = client.post(reverse("changes:release_new", args=[live.pk]), data)
    release = Release.objects.get()
    assert response.status_code == 302 and release.state == Release.State.PENDING_DIRECTOR
    client.force_login(org["project_director"])
    client.post(reverse("changes:release_action", args=[release.pk, "director"]), {"director-approve": "yes"})
    release.refresh_from_db()
    assert release.state == Release.State.PENDING_ASSIGN


def test_the_monthly_bug_list_page_and_its_export(client, org, live, time_machine):
    time_machine.move_to(at(2026, 10, 15, 10, 0), tick=False)
    services.bug_file(project=live, actor=org["implementer"], data=BUG)
    time_machine.move_to(at(2026, 11, 3, 10, 0), tick=False)
    services.bug_file(project=live, actor=org["implementer"], data={**BUG, "title": "十一月的问题"})
    client.force_login(org["regional_pm"])
    page = _body(client.get(reverse("changes:bug_month")))  # last month by default
    assert BUG["title"] in page and "十一月的问题" not in page and "2026 年 10 月" in page
    page = _body(client.get(reverse("changes:bug_month") + "?month=2026-11"))
    assert "十一月的问题" in page and BUG["title"] not in page
    export = client.get(reverse("changes:bug_month") + "?month=2026-10&export=xlsx")
    assert export.status_code == 200 and "spreadsheetml" in export["Content-Type"]
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(export.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert BUG["title"] in values and "十一月的问题" not in values
    refused = client.get(reverse("changes:bug_month") + "?month=十月")
    assert "月份格式" in _body(refused)
    client.force_login(org["sales2"])
    assert BUG["title"] not in _body(client.get(reverse("changes:bug_month") + "?month=2026-10"))


def test_a_bug_page_walks_to_the_check(client, org, live):
    bug = services.bug_file(project=live, actor=org["implementer"], data=BUG)
    client.force_login(org["regional_pm"])
    client.post(reverse("changes:bug_action", args=[bug.pk, "confirm"]), {"confirm-decision": "fix"})
    client.post(reverse("changes:bug_action", args=[bug.pk, "fix"]), {"fix-note": "已修复", "fix-version": "V1"})
    client.post(reverse("changes:bug_action", args=[bug.pk, "feedback"]), {"feedback-feedback": "正常"})
    bug.refresh_from_db()
    assert bug.state == Bug.State.CHECKING and open_tasks_for(bug).get().step == "bug.check"
    assert "核查修复" in _body(client.get(bug.get_absolute_url()))


def test_the_metrics_page_shows_the_change_figures_with_their_formulas(client, org, live, time_machine):
    time_machine.move_to(at(2026, 12, 7, 9, 0), tick=False)
    pm = org["regional_pm"]
    on_time = services.change_request_submit(project=live, actor=pm, data=CHANGE)
    services.change_request_review(change=on_time, actor=pm, approved=True, answer="同意")
    late = services.change_request_submit(project=live, actor=pm, data=CHANGE)
    bug = services.bug_file(project=live, actor=pm, data=BUG)
    services.bug_confirm(bug=bug, actor=pm, decision="fix")
    emergency = services.release_request(project=live, actor=pm, data={**RELEASE, "planned_at": at(2026, 12, 8, 21, 0)})
    services.release_director_decide(release=emergency, actor=org["project_director"], approve=True)
    time_machine.move_to(at(2026, 12, 8, 15, 0), tick=False)
    services.change_request_review(change=late, actor=pm, approved=True, answer="同意")
    regular = services.release_request(project=live, actor=pm, data={**RELEASE, "planned_at": at(2026, 12, 10, 20, 0)})
    from tests.changes.test_releases import _to_released

    _to_released(org, Release.objects.get(pk=emergency.pk))
    time_machine.move_to(at(2026, 12, 10, 21, 0), tick=False)
    _to_released(org, regular)
    client.force_login(org["project_director"])
    body = _body(client.get(reverse("aftersales:metrics") + "?month=2026-12"))
    assert "需求变更业务审批达成率" in body and "50%（1/2）" in body
    assert "BUG 确认达成率" in body and "100%（1/1）" in body
    assert "2 次（停机 0 次，回滚 0 次）" in body and "紧急发布占比" in body
    assert "÷ 本期发布次数" in body


def test_the_signed_change_form_is_filed_on_the_record_and_outsiders_cannot(client, org, live):
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pmis.catalog.models import DocumentType
    from pmis.documents.models import Attachment
    from tests.conftest import PDF

    cr = services.change_request_submit(project=live, actor=org["implementer"], data=CHANGE)
    url = reverse("documents:upload", args=[ContentType.objects.get_for_model(cr).pk, cr.pk])
    doc_type = DocumentType.objects.get(code="change-request")
    client.force_login(org["regional_pm"])
    assert "需求变更申请单" in _body(client.get(cr.get_absolute_url()))  # offered on the record
    data = {"doc_type": doc_type.pk, "next": cr.get_absolute_url()}
    client.post(url, {**data, "file": SimpleUploadedFile("需求变更申请单.pdf", PDF)})
    assert Attachment.objects.filter(object_id=cr.pk, doc_type=doc_type).count() == 1
    assert "需求变更申请单.pdf" in _body(client.get(cr.get_absolute_url()))
    client.force_login(org["sales2"])
    client.post(url, {**data, "file": SimpleUploadedFile("x.pdf", PDF)})
    assert Attachment.objects.filter(object_id=cr.pk, doc_type=doc_type).count() == 1


def test_a_late_confirmation_is_flagged_on_the_bug_and_in_the_tab(client, org, live, time_machine):
    time_machine.move_to(at(2026, 12, 10, 14, 0), tick=False)
    bug = services.bug_file(project=live, actor=org["implementer"], data=BUG)
    on_time = services.bug_file(project=live, actor=org["implementer"], data={**BUG, "title": "按时确认的"})
    services.bug_confirm(bug=on_time, actor=org["regional_pm"], decision="fix")
    time_machine.move_to(at(2026, 12, 15, 9, 0), tick=False)
    services.bug_confirm(bug=bug, actor=org["regional_pm"], decision="fix", note="厂商排查中，已告知用户")
    client.force_login(org["regional_pm"])
    assert "确认超时" in _body(client.get(bug.get_absolute_url()))
    assert "确认超时" not in _body(client.get(on_time.get_absolute_url()))
    tab = _body(client.get(workspace.tab_url(live, "bugs")))
    assert tab.count("超时</span>") == 1
