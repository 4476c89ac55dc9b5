from celery import shared_task

from .services import change_deadline_reminders, monthly_bug_lists


@shared_task(name="changes.deadline_reminders")
def remind_change_deadlines() -> int:
    return change_deadline_reminders()


@shared_task(name="changes.monthly_bug_lists")
def send_monthly_bug_lists() -> int:
    return monthly_bug_lists()
