from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from pmis.lists import export_response, list_result

from .errors import DomainError
from .forms import ReassignForm
from .lists import INBOX
from .models import Task
from .selectors import inbox_for, reassign_candidates, task_can_act
from .services import task_claim, task_reassign, task_release


@login_required
def inbox(request):
    tasks = inbox_for(request.user)
    mine = request.GET.get("mine") == "1"
    if mine:
        tasks = tasks.filter(claimed_by=request.user)
    result = list_result(request, tasks, INBOX, scope="我认领的" if mine else "")
    if result.exporting:
        return export_response(result)
    page = result.page()
    now = timezone.now()
    for task in page.object_list:
        task.overdue = task.is_overdue(now)
        task.warning = not task.overdue and task.warn_at is not None and task.warn_at <= now
    return render(
        request, "approvals/inbox.html", {"list": result, "page": page, "mine": mine, "now": now}, status=result.status
    )


def _task_action(request, pk: int, action, done: str):
    task = get_object_or_404(Task, pk=pk)
    try:
        action(task=task, actor=request.user)
    except (PermissionDenied, DomainError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{done}：{task.title}")
    return redirect("approvals:inbox")


@login_required
@require_POST
def claim(request, pk: int):
    return _task_action(request, pk, task_claim, "已认领")


@login_required
@require_POST
def release(request, pk: int):
    return _task_action(request, pk, task_release, "已释放")


@login_required
def reassign(request, pk: int):
    """转交: hand a waiting task to a colleague of the same role, with a reason."""
    task = get_object_or_404(Task.objects.select_related("group", "region", "assignee", "claimed_by"), pk=pk)
    if not (request.user.is_superuser or task_can_act(request.user, task)):
        raise Http404
    form = ReassignForm(request.POST or None, candidates=reassign_candidates(task), current=request.user, task=task)
    if request.method == "POST" and form.is_valid():
        try:
            task_reassign(
                task=task, actor=request.user, to_user=form.cleaned_data["to_user"], reason=form.cleaned_data["reason"]
            )
        except (PermissionDenied, DomainError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"已转交给 {form.cleaned_data['to_user']}")
            return redirect("approvals:inbox")
    return render(request, "approvals/reassign.html", {"task": task, "form": form})
