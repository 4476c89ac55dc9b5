from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from pmis.org.selectors import user_regions, user_roles


@login_required
def home(request):
    return render(
        request,
        "home.html",
        {"roles": user_roles(request.user), "regions": list(user_regions(request.user))},
    )


def healthz(request):
    """A bare view: for health checks and as the benchmark's baseline."""
    from django.http import HttpResponse

    return HttpResponse("ok", content_type="text/plain")
