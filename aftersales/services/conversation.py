"""A ticket's conversation (沟通记录): replies everyone who may see the ticket reads, and internal
notes (内部备注) that only the after-sales, customer-success and regional-PM side ever sees; each
may carry screenshots and logs, stored through pmis/documents with its upload checks."""

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db import transaction

from approvals.errors import DomainError
from pmis.audit.services import audit_record
from pmis.catalog.models import DocumentType
from pmis.documents.services import attachment_add
from pmis.documents.validation import check_upload
from pmis.notify.services import notify
from pmis.org.selectors import user_role_codes

from ..models import Ticket, TicketComment
from .tickets import ticket_can_view

# Who writes and reads internal notes: the staff who work tickets and the regional PM sent on site.
INTERNAL_NOTE_ROLES = frozenset({"aftersales", "aftersales_manager", "cs_staff", "cs_head", "regional_pm"})
# Attachments a ticket and its replies accept (document-type catalogue codes).
TICKET_DOC_TYPES = ("ticket-screenshot", "ticket-log", "problem-report")


def can_see_internal(user) -> bool:
    return bool(user.is_superuser or user_role_codes(user) & INTERNAL_NOTE_ROLES)


def comment_can_view(user, comment: TicketComment) -> bool:
    """A reply is seen by whoever may see its ticket; an internal note only by the internal side."""
    if not ticket_can_view(user, comment.ticket):
        return False
    return not comment.internal or can_see_internal(user)


def ticket_doc_types():
    return DocumentType.objects.filter(code__in=TICKET_DOC_TYPES).order_by("sort_order", "id")


@transaction.atomic
def ticket_comment_add(
    *, ticket: Ticket, actor, body: str, internal: bool = False, doc_type: DocumentType | None = None,
    files: Sequence = (),
) -> TicketComment:  # fmt: skip
    """Add a reply (or an internal note) with its attachments; the assignee and the staff who filed
    the ticket hear of it, except its author. A reply is not the first response: 开始处理 is."""
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("assignee", "created_by").get(pk=ticket.pk)
    if not ticket_can_view(actor, ticket):
        raise PermissionDenied("您无权查看该问题，不能回复")
    if internal and not can_see_internal(actor):
        raise PermissionDenied("只有售后、客户成功与区域项目经理可以写内部备注")
    if ticket.state == Ticket.State.CLOSED:
        raise DomainError("问题已关闭，不能再回复；如问题复现，请先重开（已解决的问题）或登记新的问题申报单")
    body = body.strip()
    if not body:
        raise DomainError("请填写内部备注内容" if internal else "请填写回复内容")
    if files:
        if doc_type is None or doc_type.code not in TICKET_DOC_TYPES:
            raise DomainError("请选择附件类型（问题截图 / 日志及其他材料）")
        for upload in files:  # every file checked before anything is stored
            check_upload(upload, doc_type_code=doc_type.code)
    comment = TicketComment.objects.create(ticket=ticket, author=actor, body=body, internal=internal)
    for upload in files:
        attachment_add(subject=comment, doc_type=doc_type, upload=upload, actor=actor, check_permission=False)
    kind = "内部备注" if internal else "回复"
    audit_record(
        subject=ticket,
        action="ticket.note" if internal else "ticket.reply",
        label=f"{kind}" + (f"（附件 {len(files)} 个）" if files else ""),
        actor=actor,
        # the text stays on the comment only: the ticket's history is read by everyone who sees the
        # ticket, and an internal note must not reach it
        details={"comment": comment.pk, "files": [upload.name for upload in files]},
    )
    recipients = [u for u in (ticket.assignee, ticket.created_by) if u is not None and u.pk != actor.pk]
    if internal:
        recipients = [u for u in recipients if can_see_internal(u)]
    notify(
        recipients=recipients,
        title=f"{ticket.number} 有新的{kind}：{actor}",
        body=body[:200],
        link=comment.get_absolute_url(),
        subject=ticket,
        kind="ticket_note" if internal else "ticket_reply",
    )
    return comment
