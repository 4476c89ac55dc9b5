from django.urls import path

from . import views

app_name = "registrations"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.choose_kind, name="new"),
    path("new/<str:kind>/", views.create, name="create"),
    path("queue/", views.queue, name="queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/outsourcing/", views.outsourcing_done, name="outsourcing_done"),
    path("<int:pk>/pdf/", views.pdf, name="pdf"),
]
