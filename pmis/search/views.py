from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from pmis.html import conditional_escape

from .pickers import SOURCES
from .selectors import normalise, search_everything


@login_required
def results(request):
    """The full results page of the header box (an htmx request gets just the groups)."""
    q = normalise(request.GET.get("q", ""))
    groups = search_everything(request.user, q, limit=settings.PMIS_SEARCH_RESULTS_LIMIT)
    for group in groups:
        group["hits_html"] = _hits_html(group["hits"])
    context = {
        "q": q,
        "groups": groups,
        "limit": settings.PMIS_SEARCH_RESULTS_LIMIT,
        "min_chars": settings.PMIS_SEARCH_MIN_CHARS,
        "too_short": bool(q) and len(q) < settings.PMIS_SEARCH_MIN_CHARS,
    }
    template = "search/_groups.html" if request.htmx else "search/results.html"
    return render(request, template, context)


def _hits_html(hits) -> str:
    """A group's list items in one pass: a page of results holds a hundred of them, each three
    template lookups otherwise."""
    esc = conditional_escape
    return mark_safe(
        "".join(
            f'<li><a href="{esc(h.url)}">{esc(h.title)}</a> <span class="muted small">{esc(h.detail)}</span></li>'
            for h in hits
        )
    )


@login_required
def suggest(request):
    """As you type in the header box: a few hits of each kind, as JSON."""
    q = normalise(request.GET.get("q", ""))
    groups = search_everything(request.user, q, limit=settings.PMIS_SEARCH_SUGGEST_LIMIT)
    return JsonResponse(
        {
            "q": q,
            "min_chars": settings.PMIS_SEARCH_MIN_CHARS,
            "groups": [
                {"kind": g["kind"], "label": g["label"], "hits": [h.as_json() for h in g["hits"]]} for g in groups
            ],
            "more_url": f"{reverse('search:results')}?{urlencode({'q': q})}",
        }
    )


@login_required
def pick(request, source: str):
    """The choices of a people / project picker: only what this user may pick for that field."""
    chooser = SOURCES.get(source)
    if chooser is None:
        raise Http404
    q = normalise(request.GET.get("q", ""))
    return JsonResponse({"results": chooser.search(request.user, q, request.GET.get("context", ""))})
