"""The site's URLs plus a few views that fail on purpose, for the error-page tests."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import path

from pmis.org.models import User
from pmis.urls import handler400, handler403, handler404, handler500  # noqa: F401
from pmis.urls import urlpatterns as site_urlpatterns
from projects.models import Project


def refuse_for_a_reason(request):
    raise PermissionDenied("只有项目总监可以查看该报表")


def refuse_with_internals(request):
    raise PermissionDenied("token=abc123 row 42 locked by pid 999")


def missing_project(request):
    return get_object_or_404(Project, pk=0)


def crash(request):
    raise RuntimeError("secret internal detail: password=hunter2")


def crash_on_the_database(request):
    User.objects.count()  # the database is down in the test that calls this


urlpatterns = [
    path("test-errors/refuse/", refuse_for_a_reason),
    path("test-errors/refuse-internals/", refuse_with_internals),
    path("test-errors/missing-project/", missing_project),
    path("test-errors/crash/", crash),
    path("test-errors/crash-db/", crash_on_the_database),
    *site_urlpatterns,
]
