from django.urls import path

from . import views

app_name = "org"
urlpatterns = [path("directory/", views.directory, name="directory")]
