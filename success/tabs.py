"""The project workspace's 云产品与服务 and 授权 tabs."""

from projects import workspace


def _orders(request, project) -> dict:
    from .models import CloudOrder, ServiceRequest

    return {
        "cloud_orders": list(
            CloudOrder.objects.filter(project=project).select_related("filed_by").prefetch_related("items__product")
        ),
        "service_requests": list(ServiceRequest.objects.filter(project=project).select_related("handler")[:50]),
    }


def _licences(request, project) -> dict:
    from django.utils import timezone

    from .models import Licence

    return {
        "licences": list(Licence.objects.filter(project=project).select_related("product", "file")),
        "today": timezone.localdate(),
    }


def register_tabs() -> None:
    workspace.register(
        workspace.Tab(
            slug="orders", label="云产品与服务", order=130, template="success/tab_orders.html", context=_orders
        )
    )
    workspace.register(
        workspace.Tab(slug="licences", label="授权", order=131, template="success/tab_licences.html", context=_licences)
    )
