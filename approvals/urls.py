from django.urls import path

from . import departments, views

app_name = "approvals"
urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/bulk/", views.bulk_approve, name="bulk_approve"),
    path("tasks/<int:pk>/claim/", views.claim, name="claim"),
    path("tasks/<int:pk>/release/", views.release, name="release"),
    path("tasks/<int:pk>/reassign/", views.reassign, name="reassign"),
    path("tasks/<int:pk>/urge/", views.urge, name="urge"),
    path("tasks/<int:pk>/add-signer/", views.add_signer, name="add_signer"),
    path("tasks/<int:pk>/return-to/", views.return_to, name="return_to"),
    # 商务管理部, 产品管理部 and 研发: one name each, for the navigation
    *(
        path(f"departments/{code}/", departments.department_queue, {"code": code}, name=f"department_{code}")
        for code in departments.DEPARTMENTS
    ),
    path("delegations/", views.delegations, name="delegations"),
    path("delegations/<int:pk>/end/", views.delegation_end, name="delegation_end"),
    path("copies/", views.copied, name="copied"),
    path("copy/<int:content_type_id>/<int:pk>/", views.copy, name="copy"),
    path("act/<str:token>/", views.act, name="act"),
    path("im/<str:platform>/callback/", views.im_callback, name="im_callback"),
]
