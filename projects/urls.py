from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("all/", views.all_projects, name="all"),
    path("news/", views.news, name="news"),
    path("weekly/missing/", views.weekly_missing, name="weekly_missing"),
    path("initiate/<int:registration_pk>/", views.initiate, name="initiate"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/tabs/<slug:slug>/", views.tab, name="tab"),
    path("<int:pk>/transition/", views.transition, name="transition"),
    path("<int:pk>/team/", views.team_update, name="team"),
    path("<int:pk>/requirements/", views.requirement_add, name="requirement_add"),
    path("<int:pk>/requirements/<int:item_pk>/", views.requirement_update, name="requirement_update"),
    path("<int:pk>/requirements/confirm/", views.requirements_confirm, name="requirements_confirm"),
    path("<int:pk>/customisations/<int:cr_pk>/", views.customisation_detail, name="customisation"),
    path("<int:pk>/customisations/<int:cr_pk>/rd/", views.customisation_rd, name="customisation_rd"),
    path("<int:pk>/customisations/<int:cr_pk>/<str:action>/", views.customisation_action, name="customisation_action"),
    path("<int:pk>/tasks/", views.task_assign, name="task_assign"),
    path("<int:pk>/tasks/<int:task_pk>/", views.task_act, name="task_act"),
    path("<int:pk>/weekly/", views.weekly_report, name="weekly_report"),
    path("<int:pk>/product-requests/new/", views.product_request_new, name="product_request_new"),
    path("<int:pk>/product-requests/<int:pr_pk>/", views.product_request_detail, name="product_request"),
    path(
        "<int:pk>/product-requests/<int:pr_pk>/<str:action>/",
        views.product_request_action,
        name="product_request_action",
    ),
]
