from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = "需求变更、缺陷修复与版本发布"

    def ready(self) -> None:
        from projects import workspace

        from . import tabs

        for tab in tabs.TABS:
            workspace.register(tab)
