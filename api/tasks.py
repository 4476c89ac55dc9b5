from celery import shared_task

from .webhooks import deliveries_due, delivery_attempt


@shared_task(name="api.deliver_webhook", ignore_result=True)
def deliver_webhook(delivery_id: int) -> str:
    return delivery_attempt(delivery_id=delivery_id)


@shared_task(name="api.resend_webhooks", ignore_result=True)
def resend_webhooks() -> int:
    """Every minute: the deliveries whose next try has come (a subscriber that was down, a
    broker that was down when the event was written)."""
    due = deliveries_due()
    for pk in due:
        delivery_attempt(delivery_id=pk)
    return len(due)
