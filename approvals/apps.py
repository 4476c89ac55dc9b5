from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "审批与待办"

    def ready(self) -> None:
        from pmis import layout

        layout.connect()
