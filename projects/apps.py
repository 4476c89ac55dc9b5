from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "项目"

    def ready(self) -> None:
        from pmis.documents import access

        from . import selectors, tabs
        from .models import DeliveryTask, ProductRequest, Project

        access.register(Project, can_view=selectors.project_can_view, can_attach=_project_can_attach)
        access.register(
            DeliveryTask, can_view=selectors.delivery_task_can_view, can_attach=selectors.delivery_task_can_attach
        )
        access.register(
            ProductRequest,
            can_view=selectors.product_request_can_view,
            can_attach=selectors.product_request_can_attach,
        )
        tabs.register_built_in()


def _project_can_attach(user, project) -> bool:
    from .services import can_manage

    return can_manage(user, project) or user.has_perm("projects.implement_project", project)
