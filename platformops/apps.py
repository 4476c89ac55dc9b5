from django.apps import AppConfig


class PlatformopsConfig(AppConfig):
    name = "platformops"
    verbose_name = "平台运维"

    def ready(self) -> None:
        from . import tabs

        tabs.register_tabs()
