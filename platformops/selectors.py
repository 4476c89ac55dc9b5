from django.db.models import Q, QuerySet

from approvals.models import Task
from pmis.org.selectors import user_role_codes
from projects.selectors import projects_visible

from .models import CloudDeployment
from .services import OPS_ROLES


def deployments_visible(user) -> QuerySet[CloudDeployment]:
    """平台运维 sees every request; the region's 特批领导 those of their region it waited on; others
    the requests of projects they may open."""
    if not user.is_authenticated:
        return CloudDeployment.objects.none()
    rows = CloudDeployment.objects.select_related("project__region", "requested_by")
    if user.is_superuser or user_role_codes(user) & OPS_ROLES:
        return rows
    waited = Task.objects.filter(cloud_deployment__isnull=False).filter(
        Q(closed_by=user) | Q(group__in=user.groups.all(), state=Task.State.OPEN)
    )
    return rows.filter(
        Q(requested_by=user) | Q(project__in=projects_visible(user)) | Q(pk__in=waited.values("object_id"))
    )
