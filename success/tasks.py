from celery import shared_task

from .services import licence_reminders


@shared_task(name="success.licence_reminders")
def remind_expiring_licences() -> dict:
    return licence_reminders()
