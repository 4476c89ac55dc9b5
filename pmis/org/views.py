from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from pmis.forms import form_error_lines
from pmis.lists import export_response, list_result

from .forms import DirectoryFilterForm
from .lists import DIRECTORY, directory_rows
from .selectors import directory_users


@login_required
def directory(request):
    """通讯录: keyword, 部门 / 区域 / 角色 filters in the URL, sortable columns, export. A filter
    value that is not valid is refused by name and the list comes back empty."""
    form = DirectoryFilterForm(request.GET or None)
    refused = form.is_bound and not form.is_valid()
    if refused:
        messages.error(request, f"筛选条件无效，请修改后重试（{'；'.join(form_error_lines(form))}）")
        people = directory_users(fetched_by=request.user).none()
    else:
        people = directory_users(fetched_by=request.user, **(form.cleaned_data if form.is_bound else {}))
    result = list_result(request, people, DIRECTORY, filter_form=form)
    if result.exporting and not refused:
        return export_response(result)
    page = result.page()
    return render(
        request,
        "org/directory.html",
        {"list": result, "page": page, "rows": directory_rows(page.object_list), "form": form},
        status=400 if refused else result.status,
    )
