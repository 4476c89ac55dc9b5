from django.apps import AppConfig


class SuccessConfig(AppConfig):
    name = "success"
    verbose_name = "客户成功与运营"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from approvals.models import Task

        from . import tabs

        tabs.register_tabs()
        post_save.connect(_task_saved, sender=Task, dispatch_uid="success_department_figures")


def _task_saved(sender, instance, update_fields=None, **kwargs) -> None:
    from .selectors import figures_changed

    figures_changed(instance, update_fields)
