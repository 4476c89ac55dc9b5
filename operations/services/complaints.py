"""客户投诉 (003 度量考核：客户投诉次数): flag a ticket as a customer complaint."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from approvals.errors import DomainError
from pmis.audit.services import audit_record
from pmis.notify.services import notify
from pmis.org.selectors import users_in_role

from ..models import Complaint
from .common import can_work_operations


@transaction.atomic
def complaint_record(*, ticket, actor, note: str) -> Complaint:
    note = (note or "").strip()
    if not note:
        raise DomainError("请填写投诉内容")
    if not can_work_operations(actor, ticket.project):
        raise PermissionDenied("只有售后人员或项目组成员可以登记客户投诉")
    if Complaint.objects.filter(ticket=ticket).exists():
        raise DomainError("该问题已登记为客户投诉")
    complaint = Complaint.objects.create(ticket=ticket, note=note, recorded_by=actor)
    audit_record(subject=ticket, action="ticket.complaint", label="登记客户投诉", actor=actor, comment=note)
    notify(
        recipients=[*users_in_role("aftersales_manager"), ticket.project.pm],
        title=f"客户投诉：{ticket.number} {ticket.subject}",
        body=note,
        link=ticket.get_absolute_url(),
        subject=ticket,
        kind="complaint",
    )
    return complaint
