from django.urls import path

from . import views

app_name = "delivery"
urlpatterns = [
    path("surveys/", views.surveys, name="surveys"),
    path("projects/<int:pk>/meetings/", views.meeting_new, name="meeting_new"),
    path("projects/<int:pk>/meetings/<int:meeting_pk>/end/", views.meeting_end, name="meeting_end"),
    path("projects/<int:pk>/meetings/<int:meeting_pk>/actions/", views.action_new, name="action_new"),
    path("projects/<int:pk>/actions/<int:item_pk>/done/", views.action_done, name="action_done"),
    path("projects/<int:pk>/reviews/requirements/", views.review_request, name="review_request"),
    path("projects/<int:pk>/reviews/<int:review_pk>/<str:action>/", views.review_decide, name="review_decide"),
    path("projects/<int:pk>/training/", views.training_plan_new, name="training_plan_new"),
    path("projects/<int:pk>/training/<int:plan_pk>/sessions/", views.training_session_new, name="training_session_new"),
    path("projects/<int:pk>/training/<int:plan_pk>/notice/", views.training_notice, name="training_notice"),
    path(
        "projects/<int:pk>/training/sessions/<int:session_pk>/complete/",
        views.training_session_complete,
        name="training_session_complete",
    ),
    path("projects/<int:pk>/training/sessions/<int:session_pk>/sign-in.pdf", views.sign_in_sheet, name="sign_in_sheet"),
    path("projects/<int:pk>/acceptance/size/", views.size_set, name="size_set"),
    path("projects/<int:pk>/acceptance/submit/", views.acceptance_submit, name="acceptance_submit"),
    path(
        "projects/<int:pk>/acceptance/<int:approval_pk>/<str:action>/",
        views.acceptance_decide,
        name="acceptance_decide",
    ),
    path("projects/<int:pk>/acceptance/issues/", views.issue_new, name="issue_new"),
    path("projects/<int:pk>/acceptance/issues/<int:issue_pk>/close/", views.issue_close, name="issue_close"),
    path("projects/<int:pk>/satisfaction/", views.survey_send, name="survey_send"),
    path("projects/<int:pk>/satisfaction/<int:survey_pk>/record/", views.survey_record, name="survey_record"),
    path("survey/<int:project_pk>/<str:token>/", views.survey_answer, name="survey_answer"),
]
