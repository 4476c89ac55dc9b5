"""Services of customer success, one module per subject: cloud product orders (云产品下单),
service requests (客户服务申请), the licence register (授权台账) and SaaS integration (实施集成申请)."""

from .integration import (
    cloud_order_confirm,
    integration_accept,
    integration_complete,
    integration_decline,
    integration_handed_back,
    integration_handover_state,
)
from .licences import licence_reminders, licence_term_set, licences_from_product_request, reminder_days
from .orders import cloud_order_can_view, cloud_order_file, cloud_order_open, cloud_order_review, cloud_order_revise
from .requests import (
    renewal_open_for,
    service_request_can_view,
    service_request_cancel,
    service_request_file,
    service_request_finish,
    service_request_start,
)

__all__ = [
    "cloud_order_can_view",
    "cloud_order_confirm",
    "cloud_order_file",
    "cloud_order_open",
    "cloud_order_review",
    "cloud_order_revise",
    "integration_accept",
    "integration_complete",
    "integration_decline",
    "integration_handed_back",
    "integration_handover_state",
    "licence_reminders",
    "licence_term_set",
    "licences_from_product_request",
    "reminder_days",
    "renewal_open_for",
    "service_request_can_view",
    "service_request_cancel",
    "service_request_file",
    "service_request_finish",
    "service_request_start",
]
