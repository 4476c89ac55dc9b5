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

        from approvals.actions import register_decision
        from approvals.chains import chain_record

        from .models import CustomisationRequest
        from .services import (
            customisation_assignee,
            customisation_context,
            product_request_context,
            product_request_decide,
            product_request_receiver,
        )

        chain_record(
            CustomisationRequest, chain="customisation", context=customisation_context, assignee=customisation_assignee
        )

        chain_record(
            ProductRequest, chain="product_request", context=product_request_context, assignee=product_request_receiver
        )

        for step in ("product_request.pm", "product_request.business"):
            register_decision(
                step,
                approve=lambda r, actor, comment: product_request_decide(
                    request=r, actor=actor, approve=True, comment=comment
                ),
                send_back=lambda r, actor, comment: product_request_decide(
                    request=r, actor=actor, approve=False, comment=comment
                ),
            )


def _project_can_attach(user, project) -> bool:
    from .services import can_manage

    return can_manage(user, project) or user.has_perm("projects.implement_project", project)
