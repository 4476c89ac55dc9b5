from celery import shared_task

from .services import duty_urgent_tickets_sweep, incident_escalate_due, incidents_sweep, inspections_open_due


@shared_task(name="operations.incident_escalate_due")
def incident_escalate_due_task(incident_id: int) -> bool:
    """Queued with eta = the incident's escalation time when it is reported."""
    return incident_escalate_due(incident_id=incident_id)


@shared_task(name="operations.incidents_sweep")
def incidents_sweep_task() -> dict[str, int]:
    counts = incidents_sweep()
    counts["duty_tickets"] = duty_urgent_tickets_sweep()
    return counts


@shared_task(name="operations.inspections_open")
def inspections_open_task() -> int:
    return inspections_open_due()
