from celery import shared_task

from .services import tasks_sweep


@shared_task(name="approvals.sla_sweep")
def sla_sweep() -> dict[str, int]:
    return tasks_sweep()


@shared_task(name="approvals.delegations_announce")
def delegations_announce() -> dict[str, int]:
    from .delegations import delegations_announce as announce

    return announce()
