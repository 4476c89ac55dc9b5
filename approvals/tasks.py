from celery import shared_task

from .services import tasks_sweep


@shared_task(name="approvals.sla_sweep")
def sla_sweep() -> dict[str, int]:
    return tasks_sweep()


@shared_task(name="approvals.delegations_announce")
def delegations_announce() -> dict[str, int]:
    from .delegations import delegations_announce as announce

    return announce()


@shared_task(
    name="approvals.robot_send",
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=6,
)
def robot_send(message_id: int) -> str:
    from .robots import robot_message_send

    return robot_message_send(message_id=message_id)
