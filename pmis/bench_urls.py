"""The URLconf of `make bench` (pmis/settings/bench.py): every page of the site plus the floor.

The floor is the least a list page can do on this stack: the same middleware and session sign-in,
one indexed query for 25 rows of the largest table (the audit log), and a minimal template. The
bench prints each page's throughput as a ratio to it, measured in the same run."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import path

from pmis.audit.models import AuditEntry
from pmis.urls import handler400, handler403, handler404, handler500
from pmis.urls import urlpatterns as site_urlpatterns

FLOOR_ROWS = 25


@login_required
def floor(request):
    rows = AuditEntry.objects.order_by("-pk")[:FLOOR_ROWS]  # the primary key's index, newest first
    # no request context: the layout's context processor is what pages add above the floor
    return HttpResponse(render_to_string("bench/floor.html", {"rows": rows}))


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *site_urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
