from django.urls import path

from . import views

app_name = "changes"
urlpatterns = [
    path("projects/<int:project_pk>/changes/new/", views.change_new, name="change_new"),
    path("projects/<int:project_pk>/bugs/new/", views.bug_new, name="bug_new"),
    path("projects/<int:project_pk>/releases/new/", views.release_new, name="release_new"),
    path("change/<int:pk>/", views.record_detail, {"kind": "change"}, name="change"),
    path("change/<int:pk>/<str:action>/", views.record_action, {"kind": "change"}, name="change_action"),
    path("bug/<int:pk>/", views.record_detail, {"kind": "bug"}, name="bug"),
    path("bug/<int:pk>/<str:action>/", views.record_action, {"kind": "bug"}, name="bug_action"),
    path("release/<int:pk>/", views.record_detail, {"kind": "release"}, name="release"),
    path("release/<int:pk>/<str:action>/", views.record_action, {"kind": "release"}, name="release_action"),
    path("bugs/monthly/", views.bug_month, name="bug_month"),
]
