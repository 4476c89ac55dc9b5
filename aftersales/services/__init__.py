"""Services of after-sales, one module per subject: handover (移交), tickets (售后问题) and their
conversation (沟通记录)."""

from .conversation import can_see_internal, comment_can_view, ticket_comment_add, ticket_doc_types
from .handover import (
    HANDOVER_MATERIALS,
    handover_audit,
    handover_cs_head_decide,
    handover_materials,
    handover_news_title,
    handover_route_for,
    handover_submit,
)
from .local_support import (
    can_request_support,
    support_request_of,
    ticket_support_decline,
    ticket_support_request,
)
from .tickets import (
    AFTERSALES_ROLES,
    _is_aftersales,
    ticket_assign,
    ticket_can_view,
    ticket_close,
    ticket_create,
    ticket_pause,
    ticket_reopen,
    ticket_resolve,
    ticket_resume,
    ticket_start,
    ticket_triage,
)

__all__ = [
    "AFTERSALES_ROLES",
    "HANDOVER_MATERIALS",
    "_is_aftersales",
    "can_request_support",
    "can_see_internal",
    "comment_can_view",
    "handover_audit",
    "handover_cs_head_decide",
    "handover_materials",
    "handover_news_title",
    "handover_route_for",
    "handover_submit",
    "support_request_of",
    "ticket_assign",
    "ticket_can_view",
    "ticket_close",
    "ticket_comment_add",
    "ticket_create",
    "ticket_doc_types",
    "ticket_pause",
    "ticket_reopen",
    "ticket_resolve",
    "ticket_resume",
    "ticket_start",
    "ticket_support_decline",
    "ticket_support_request",
    "ticket_triage",
]
