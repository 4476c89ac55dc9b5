from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from .forms import DirectoryFilterForm
from .roles import ROLES, role_label
from .selectors import directory_users


@login_required
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(directory_users(**filters), 50).get_page(request.GET.get("page"))
    for person in page.object_list:
        person.role_labels = [role_label(g.name) for g in person.groups.all()]
    return render(request, "org/directory.html", {"form": form, "page": page, "roles": ROLES})
