from django.urls import path

from . import views

app_name = "platformops"
urlpatterns = [
    path("deployments/", views.deployment_list, name="deployments"),
    path("deployments/new/", views.deployment_new, name="deployment_new"),
    path("deployments/<int:pk>/", views.deployment_detail, name="deployment"),
    path("deployments/<int:pk>/<str:action>/", views.deployment_action, name="deployment_action"),
]
