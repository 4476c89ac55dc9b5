from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("incidents/", views.incident_list, name="incidents"),
    path("projects/<int:project_pk>/incidents/new/", views.incident_new, name="incident_new"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident"),
    path("incidents/<int:pk>/<str:action>/", views.incident_action, name="incident_action"),
    path("projects/<int:project_pk>/onsite/new/", views.onsite_new, name="onsite_new"),
    path("onsite/<int:pk>/", views.onsite_detail, name="onsite"),
    path("onsite/<int:pk>/<str:action>/", views.onsite_action, name="onsite_action"),
    path("projects/<int:project_pk>/repairs/new/", views.repair_new, name="repair_new"),
    path("repairs/<int:pk>/", views.repair_detail, name="repair"),
    path("repairs/<int:pk>/<str:action>/", views.repair_action, name="repair_action"),
    path("projects/<int:project_pk>/inspection-plan/", views.inspection_plan, name="inspection_plan"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection"),
    path("inspections/<int:pk>/record/", views.inspection_record, name="inspection_record"),
    path("duty/", views.duty_list, name="duty"),
    path("duty/new/", views.duty_roster_new, name="duty_roster_new"),
    path("duty/<int:pk>/", views.duty_roster, name="duty_roster"),
    path("duty/<int:pk>/shift/", views.duty_shift, name="duty_shift"),
    path("tickets/<int:ticket_pk>/complaint/", views.complaint, name="complaint"),
]
