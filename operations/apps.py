from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "operations"
    verbose_name = "运维服务"

    def ready(self) -> None:
        from pmis.documents import access

        from . import pickers, tabs
        from .models import Incident, Repair
        from .services.common import can_view_operations, can_work_operations

        tabs.register_tabs()
        pickers.register_pickers()
        # the 事故报告 and the 产品维修检查确认单 leave only through the permission-checked download
        access.register(
            Incident,
            can_view=lambda user, i: can_view_operations(user, i.project),
            can_attach=lambda user, i: can_work_operations(user, i.project),
        )
        access.register(
            Repair,
            can_view=lambda user, r: can_view_operations(user, r.project),
            can_attach=lambda user, r: can_work_operations(user, r.project),
        )
