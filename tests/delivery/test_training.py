import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from approvals.errors import DomainError
from delivery.services import training
from projects import services as project_services
from projects.gates import gate_missing

pytestmark = pytest.mark.django_db


def _plan(org, project):
    return training.training_plan_create(
        project=project, actor=org["regional_pm"], title="签章系统操作培训", audience="信息中心全体",
        content="印章管理、合同签署", trainer=org["implementer"],
    )  # fmt: skip


def test_plan_notice_session_and_signatures_open_the_go_live_gate(org, project, upload):
    trainer = org["implementer"]
    upload(project, "trial-run-confirmation")
    assert any("客户培训尚未完成" in m for m in gate_missing(project, "go_live"))
    plan = _plan(org, project)
    with pytest.raises(DomainError, match="先安排培训场次"):
        training.training_notice_issue(plan=plan, actor=trainer, notice="请准时参加")
    session = training.training_session_add(
        plan=plan, actor=trainer, starts_at=timezone.now(), location="客户三楼会议室", topic="印章管理",
        attendees=[{"name": "张伟", "organisation": "信息中心"}, {"name": "李娜"}, {"name": " "}],
    )  # fmt: skip
    assert session.attendees.count() == 2
    plan = training.training_notice_issue(plan=plan, actor=trainer, notice="请于周三上午参加")
    assert plan.notice_sent_at is not None
    with pytest.raises(DomainError, match="无人签到"):
        training.training_session_complete(session=session, actor=trainer, signed_ids=[])
    assert any("客户培训尚未完成" in m for m in gate_missing(project, "go_live"))
    first = session.attendees.first()
    training.training_session_complete(session=session, actor=trainer, signed_ids=[first.pk])
    assert gate_missing(project, "go_live") == []
    assert list(session.attendees.filter(signed=True)) == [first]


def test_only_the_pm_authorises_a_trainer_from_the_team(org, project):
    with pytest.raises(PermissionDenied):
        training.training_plan_create(
            project=project, actor=org["implementer"], title="x", audience="y", content="z", trainer=org["implementer"]
        )
    with pytest.raises(DomainError, match="项目组成员"):
        training.training_plan_create(
            project=project, actor=org["regional_pm"], title="x", audience="y", content="z", trainer=org["sales2"]
        )


def test_the_sign_in_sheet_pdf_renders_the_attendees_in_chinese(client, org, project):
    plan = _plan(org, project)
    session = training.training_session_add(
        plan=plan, actor=org["implementer"], starts_at=timezone.now(), location="客户三楼会议室", topic="印章管理",
        attendees=[{"name": "张伟", "organisation": "信息中心", "position": "科长"}],
    )  # fmt: skip
    client.force_login(org["regional_pm"])
    response = client.get(reverse("delivery:sign_in_sheet", args=[project.pk, session.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "客户培训签到表" in text and "张伟" in text and "信息中心" in text
    client.force_login(org["sales2"])
    assert client.get(reverse("delivery:sign_in_sheet", args=[project.pk, session.pk])).status_code == 404


def test_a_project_cannot_go_live_without_training(org, project, upload):
    pm = org["regional_pm"]
    upload(project, "requirement-confirmation")
    project_services.requirements_confirm(project=project, actor=pm)
    upload(project, "trial-run-confirmation")
    for action in ("start_requirements", "start_implementation", "start_trial_run"):
        project = project_services.project_transition(project=project, actor=pm, action=action)
    with pytest.raises(DomainError, match="客户培训尚未完成"):
        project_services.project_transition(project=project, actor=pm, action="go_live")
    upload(project, "training-attendance")  # the paper sheet, scanned, counts as well
    assert project_services.project_transition(project=project, actor=pm, action="go_live").state == "live"
