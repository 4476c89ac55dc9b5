from celery import shared_task

from .services import weekly_report_reminders


@shared_task(name="projects.weekly_report_reminders")
def remind_weekly_reports() -> int:
    return weekly_report_reminders()
