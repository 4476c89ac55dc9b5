from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone

from approvals.selectors import inbox_head
from dashboards.cards import cards_for
from pmis import reference
from pmis.notify.selectors import notifications_for
from pmis.org.selectors import user_region_ids, user_roles


@login_required
def home(request):
    """工作台: what waits on me first, then what I was told, then who I am here, then the
    dashboards of the roles that steer."""
    now = timezone.now()
    user = request.user
    waiting = inbox_head(user, 8)  # reads the user's regions once for the request
    for task in waiting:
        task.overdue = task.is_overdue(now)
    # the regions he acts for, the one he belongs to and his department, from the kept rows
    acts_in = user_region_ids(user)
    every_region = reference.regions()
    return render(
        request,
        "home.html",
        {
            "roles": user_roles(user),
            "regions": [region for region in every_region if region.pk in acts_in],
            "own_region": next((region for region in every_region if region.pk == user.region_id), None),
            "department": reference.department(user.department_id),
            "waiting": waiting,
            "notices": list(notifications_for(user).filter(read_at__isnull=True)[:6]),
            "dashboards": cards_for(user),
        },
    )


def healthz(request):
    """A bare view: for health checks and as the benchmark's baseline."""
    return HttpResponse("ok", content_type="text/plain")


def favicon(request):
    """Browsers and tools ask for /favicon.ico whatever the page links: send them to the SVG icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
