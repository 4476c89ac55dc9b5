"""Services of after-sales, one module per subject: handover (移交) and tickets (售后问题)."""

from .handover import (
    HANDOVER_MATERIALS,
    handover_audit,
    handover_cs_head_decide,
    handover_news_title,
    handover_route_for,
    handover_submit,
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
    "handover_audit",
    "handover_cs_head_decide",
    "handover_news_title",
    "handover_route_for",
    "handover_submit",
    "ticket_assign",
    "ticket_can_view",
    "ticket_close",
    "ticket_create",
    "ticket_pause",
    "ticket_reopen",
    "ticket_resolve",
    "ticket_resume",
    "ticket_start",
    "ticket_triage",
]
