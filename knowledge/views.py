from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from approvals.errors import DomainError
from pmis.lists import export_response, list_result

from . import services
from .forms import ArticleForm
from .lists import ARTICLES
from .selectors import articles_visible, similar_articles


@login_required
def article_list(request):
    articles = articles_visible(request.user).select_related("created_by")
    result = list_result(request, articles, ARTICLES)
    if result.exporting:
        return export_response(result)
    return render(
        request,
        "knowledge/articles.html",
        {
            "list": result,
            "page": result.page(),
            "can_write": services.can_write_articles(request.user),
        },
        status=result.status,
    )


@login_required
def article_detail(request, pk: int):
    article = get_object_or_404(
        articles_visible(request.user).select_related("ticket", "incident", "project", "created_by"), pk=pk
    )
    return render(request, "knowledge/article.html", {"a": article, "products": article.products.all()})


def _source(request):
    """The ticket or incident an article is written from (转为知识), if the user may see it."""
    from aftersales.models import Ticket
    from aftersales.services import ticket_can_view
    from operations.models import Incident
    from operations.selectors import incident_can_view

    params = request.POST if request.method == "POST" else request.GET
    ticket = incident = None
    if (params.get("ticket") or "").isdigit():
        ticket = get_object_or_404(Ticket.objects.select_related("project"), pk=int(params["ticket"]))
        if not ticket_can_view(request.user, ticket):
            raise Http404
    elif (params.get("incident") or "").isdigit():
        incident = get_object_or_404(Incident.objects.select_related("project"), pk=int(params["incident"]))
        if not incident_can_view(request.user, incident):
            raise Http404
    return ticket, incident


def _initial(ticket, incident) -> dict:
    if ticket is not None:
        return {"title": ticket.subject, "problem": ticket.description, "solution": ticket.resolution}
    if incident is not None:
        return {
            "title": incident.title,
            "problem": incident.symptoms,
            "cause": incident.cause,
            "solution": "\n".join(x for x in (incident.fix, incident.process) if x),
        }
    return {}


@login_required
def article_new(request):
    if not services.can_write_articles(request.user):
        raise PermissionDenied("您没有编写知识条目的权限")
    ticket, incident = _source(request)
    if request.method == "POST":
        form = ArticleForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                article = services.article_create(
                    actor=request.user, data=data, products=data["products"], ticket=ticket, incident=incident
                )
            except DomainError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已加入知识库：{article.number}")
                return redirect(article.get_absolute_url())
        else:
            messages.error(request, "请检查填写的内容")
    else:
        try:
            services.source_ready(ticket=ticket, incident=incident)
        except DomainError as exc:
            messages.error(request, str(exc))
        form = ArticleForm(initial=_initial(ticket, incident))
    return render(request, "knowledge/article_new.html", {"form": form, "ticket": ticket, "incident": incident})


@login_required
def similar(request):
    """相似知识 for what is being typed (a ticket's title): a fragment the ticket form shows."""
    articles = similar_articles(request.user, request.GET.get("q", "")[:200])
    return render(request, "knowledge/similar.html", {"articles": articles})
