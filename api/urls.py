from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from . import pages
from .views.inbox import InboxViewSet
from .views.misc import NotificationViewSet, PeopleViewSet, ProductViewSet, RegionViewSet, SlaMetricsView
from .views.projects import ProjectViewSet
from .views.registrations import RegistrationViewSet
from .views.tickets import TicketViewSet

router = SimpleRouter(use_regex_path=False)
router.register("registrations", RegistrationViewSet, basename="registration")
router.register("inbox", InboxViewSet, basename="inbox")
router.register("projects", ProjectViewSet, basename="project")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("lookups/products", ProductViewSet, basename="product")
router.register("lookups/regions", RegionViewSet, basename="region")
router.register("lookups/people", PeopleViewSet, basename="person")

app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/metrics/sla/", SlaMetricsView.as_view(), name="metrics-sla"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # a person reading the documentation signs in like on any page (the page calls with the session)
    path("docs/", login_required(SpectacularSwaggerView.as_view(url_name="api:schema")), name="docs"),
    path("tokens/", pages.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", pages.token_revoke_view, name="token_revoke"),
]
