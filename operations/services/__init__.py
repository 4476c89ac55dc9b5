from .complaints import complaint_record
from .duty import duty_roster_create, duty_shift_set, duty_urgent_tickets_sweep, on_duty
from .incidents import (
    incident_escalate_due,
    incident_recover,
    incident_report,
    incident_report_review,
    incident_report_submit,
    incident_set_level,
    incident_vendor_cause,
    incidents_sweep,
    level_proposal,
)
from .inspections import inspection_plan_set, inspection_record, inspections_open_due
from .onsite import (
    arrival_policy,
    onsite_arrive,
    onsite_contact,
    onsite_depart,
    onsite_request,
    repair_confirm,
    repair_inspect,
    repair_receive,
    repair_return,
)

__all__ = [
    "arrival_policy",
    "complaint_record",
    "duty_roster_create",
    "duty_shift_set",
    "duty_urgent_tickets_sweep",
    "incident_escalate_due",
    "incident_recover",
    "incident_report",
    "incident_report_review",
    "incident_report_submit",
    "incident_set_level",
    "incident_vendor_cause",
    "incidents_sweep",
    "inspection_plan_set",
    "inspection_record",
    "inspections_open_due",
    "level_proposal",
    "on_duty",
    "onsite_arrive",
    "onsite_contact",
    "onsite_depart",
    "onsite_request",
    "repair_confirm",
    "repair_inspect",
    "repair_receive",
    "repair_return",
]
