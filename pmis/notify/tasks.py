from celery import shared_task

from .services import notification_deliver, notifications_resend


@shared_task(
    name="notify.deliver",
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=6,
)
def deliver_notification(notification_id: int) -> str:
    return notification_deliver(notification_id=notification_id)


@shared_task(name="notify.resend_pending")
def resend_pending_notifications() -> int:
    return notifications_resend()
