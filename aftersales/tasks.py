from celery import shared_task

from .services.rollup import tickets_breach_mark


@shared_task(name="aftersales.tickets_breach_mark")
def breach_mark() -> int:
    return tickets_breach_mark()
