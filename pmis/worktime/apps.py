from django.apps import AppConfig


class WorktimeConfig(AppConfig):
    name = "pmis.worktime"
    label = "worktime"
    verbose_name = "工作日历与时限"

    def ready(self) -> None:
        from pmis import reference

        reference.connect()  # policies, holidays, regions, departments, groups: kept, then forgotten on change
