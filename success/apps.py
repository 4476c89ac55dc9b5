from django.apps import AppConfig


class SuccessConfig(AppConfig):
    name = "success"
    verbose_name = "客户成功与运营"

    def ready(self) -> None:
        from . import tabs

        tabs.register_tabs()
