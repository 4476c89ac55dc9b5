from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = "计划与控制"

    def ready(self) -> None:
        from . import tabs

        tabs.register_tabs()
