from django.urls import path

from . import views

app_name = "planning"

urlpatterns = [
    path("<int:pk>/plan/add/", views.plan_add, name="plan_add"),
    path("<int:pk>/plan/<int:item_pk>/edit/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/plan/<int:item_pk>/delete/", views.plan_delete, name="plan_delete"),
    path("<int:pk>/plan/baseline/", views.plan_baseline, name="plan_baseline"),
    path("<int:pk>/plan/import/", views.plan_import, name="plan_import"),
    path("<int:pk>/plan/export/", views.plan_export, name="plan_export"),
    path("<int:pk>/plan/pdf/", views.plan_pdf, name="plan_pdf"),
    path("<int:pk>/risks/add/", views.risk_add, name="risk_add"),
    path("<int:pk>/risks/<int:risk_pk>/edit/", views.risk_edit, name="risk_edit"),
    path("<int:pk>/risks/<int:risk_pk>/follow-up/", views.risk_follow, name="risk_follow"),
    path("<int:pk>/raci/generate/", views.raci_generate, name="raci_generate"),
    path("<int:pk>/raci/<int:row_pk>/edit/", views.raci_edit, name="raci_edit"),
    path("<int:pk>/raci/export/", views.raci_export, name="raci_export"),
    path("<int:pk>/reports/monthly/", views.monthly_report, name="monthly_report"),
]
