from django.apps import AppConfig


class WorktimeConfig(AppConfig):
    name = "pmis.worktime"
    label = "worktime"
    verbose_name = "工作日历与时限"
