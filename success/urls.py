from django.urls import path

from . import views
from .models import Team

app_name = "success"
urlpatterns = [
    path("orders/", views.order_list, name="orders"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/<str:action>/", views.order_action, name="order_action"),
    path("integration/<int:pk>/<str:action>/", views.integration_action, name="integration_action"),
    path("ops/", views.team_queue, {"team": Team.OPS}, name="ops"),
    path("support/", views.team_queue, {"team": Team.SUPPORT}, name="support"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/<str:action>/", views.request_action, name="request_action"),
    path("licences/", views.licence_list, name="licences"),
    path("licences/<int:pk>/term/", views.licence_term, name="licence_term"),
]
