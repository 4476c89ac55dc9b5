from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("", views.article_list, name="articles"),
    path("new/", views.article_new, name="new"),
    path("similar/", views.similar, name="similar"),
    path("<int:pk>/", views.article_detail, name="article"),
]
