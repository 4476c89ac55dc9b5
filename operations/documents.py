"""The typed documents operations produce from what was recorded: the 事故报告 when the 应急小组
archives it, and the 产品维修检查确认单 when the returned product has been inspected. Rendered to PDF
(pmis.documents.pdf) and attached to their record, so they are kept and downloaded like any form."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pmis.catalog.models import DocumentType
from pmis.documents.pdf import render_pdf
from pmis.documents.services import attachment_add


def _local(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "—"


def _attach(subject, *, code: str, title: str, rows: list, actor, filename: str) -> None:
    doc_type = DocumentType.objects.filter(code=code).first()
    if doc_type is None:  # the catalogue is not seeded: nothing to file it under
        return
    pdf = render_pdf("pdf/form.html", {"title": title, "rows": rows})
    attachment_add(
        subject=subject,
        doc_type=doc_type,
        upload=SimpleUploadedFile(filename, pdf, "application/pdf"),
        actor=actor,
        check_permission=False,
    )


def incident_report_file(incident, *, actor) -> None:
    rows = [
        ("事件编号", incident.number),
        ("项目", f"{incident.project.code} {incident.project.name}"),
        ("事件", incident.title),
        ("事件级别", incident.get_level_display()),
        ("报告人 / 方式", f"{incident.reporter} / {incident.get_channel_display()}"),
        ("报告时间", _local(incident.reported_at)),
        ("停止服务开始", _local(incident.outage_started_at)),
        ("升级应急小组", _local(incident.escalated_at)),
        ("恢复时间", _local(incident.recovered_at)),
        ("故障现象", incident.symptoms),
        ("问题原因", incident.cause),
        ("解决方法", incident.fix),
        ("解决经过", incident.process),
        ("预防措施", incident.prevention),
        ("报告人（事故报告）", str(incident.report_by or "—")),
        ("审阅归档", f"{actor} {_local(incident.archived_at)}"),
    ]
    _attach(
        incident,
        code="incident-report",
        title="事故报告",
        rows=rows,
        actor=actor,
        filename=f"事故报告-{incident.number}.pdf",
    )


def repair_form_file(repair, *, actor) -> None:
    rows = [
        ("项目", f"{repair.project.code} {repair.project.name}"),
        ("返修产品", repair.product),
        ("用户反映的故障现象", repair.fault),
        ("收到时间", _local(repair.received_at)),
        ("检查情况（损坏情况）", repair.findings),
        ("费用（成本费与运费）", repair.cost_estimate or "—"),
        ("检查人 / 时间", f"{actor} {_local(repair.inspected_at)}"),
        ("客户确认", "客户确认维修当日起 3–7 个工作日内维修返回；维修产品收取成本费和运费（004 §8.1.4）"),
    ]
    _attach(
        repair,
        code="repair-check-form",
        title="产品维修检查确认单",
        rows=rows,
        actor=actor,
        filename=f"产品维修检查确认单-{repair.pk}.pdf",
    )
