from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "delivery"
    verbose_name = "交付管控"

    def ready(self) -> None:
        from . import tabs

        tabs.register_tabs()
