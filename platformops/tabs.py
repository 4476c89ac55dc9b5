"""The project workspace's 云端部署 tab."""

from projects import workspace


def _deployments(request, project) -> dict:
    from .models import CloudDeployment
    from .services import can_request

    return {
        "deployments": list(CloudDeployment.objects.filter(project=project).select_related("requested_by")),
        "can_request_deployment": can_request(request.user, project),
    }


def register_tabs() -> None:
    workspace.register(
        workspace.Tab(
            slug="deployments",
            label="云端部署",
            order=132,
            template="platformops/tab_deployments.html",
            context=_deployments,
        )
    )
