from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "接口与事件推送"

    def ready(self) -> None:
        from pmis.audit.services import on_record

        from .webhooks import event_from_audit, events_from_audit_many

        on_record(event_from_audit, many=events_from_audit_many)
