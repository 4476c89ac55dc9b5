from celery import shared_task

from .plan import plan_late_notify
from .risks import risk_reviews_due


@shared_task(name="planning.plan_late_notify")
def notify_late_items() -> int:
    return plan_late_notify()


@shared_task(name="planning.risk_reviews_due")
def open_risk_reviews() -> int:
    return risk_reviews_due()
