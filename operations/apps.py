from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = "运维服务"

    def ready(self) -> None:
        from . import pickers, tabs

        tabs.register_tabs()
        pickers.register_pickers()
