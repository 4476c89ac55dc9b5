from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .errors import DomainError
from .models import Task
from .selectors import inbox_for
from .services import task_claim, task_release


@login_required
def inbox(request):
    tasks = inbox_for(request.user)
    mine = request.GET.get("mine") == "1"
    if mine:
        tasks = tasks.filter(claimed_by=request.user)
    page = Paginator(tasks, 30).get_page(request.GET.get("page"))
    now = timezone.now()
    for task in page.object_list:
        task.overdue = task.is_overdue(now)
        task.warning = not task.overdue and task.warn_at is not None and task.warn_at <= now
    return render(request, "approvals/inbox.html", {"page": page, "mine": mine, "now": now})


@login_required
@require_POST
def claim(request, pk: int):
    task = get_object_or_404(Task, pk=pk)
    try:
        task_claim(task=task, actor=request.user)
    except (PermissionDenied, DomainError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已认领：{task.title}")
    return redirect(request.POST.get("next") or "approvals:inbox")


@login_required
@require_POST
def release(request, pk: int):
    task = get_object_or_404(Task, pk=pk)
    try:
        task_release(task=task, actor=request.user)
    except (PermissionDenied, DomainError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已释放：{task.title}")
    return redirect("approvals:inbox")
