from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from pmis import views
from pmis.org.forms_auth import LoginForm

admin.site.site_header = "PMIS 管理后台"
admin.site.site_title = "PMIS 管理后台"
admin.site.index_title = "系统管理"

handler400 = "pmis.errors.bad_request"
handler403 = "pmis.errors.permission_denied"
handler404 = "pmis.errors.page_not_found"
handler500 = "pmis.errors.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("org/", include("pmis.org.urls")),
    path("approvals/", include("approvals.urls")),
    path("registrations/", include("registrations.urls")),
    path("projects/", include("projects.urls")),
    path("aftersales/", include("aftersales.urls")),
    path("planning/", include("planning.urls")),
    path("success/", include("success.urls")),
    path("platform/", include("platformops.urls")),
    path("operations/", include("operations.urls")),
    path("knowledge/", include("knowledge.urls")),
    path("changes/", include("changes.urls")),
    path("delivery/", include("delivery.urls")),
    path("notifications/", include("pmis.notify.urls")),
    path("documents/", include("pmis.documents.urls")),
    path("catalog/", include("pmis.catalog.urls")),
    path("search/", include("pmis.search.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]
