from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from pmis.lists import export_response, list_result

from .lists import NOTIFICATIONS
from .models import Notification
from .selectors import notifications_for
from .services import notification_mark_read, notifications_mark_all_read


@login_required
def notification_list(request):
    notifications = notifications_for(request.user)
    if request.GET.get("unread"):
        notifications = notifications.filter(read_at__isnull=True)
    result = list_result(request, notifications, NOTIFICATIONS, scope="只看未读" if request.GET.get("unread") else "")
    if result.exporting:
        return export_response(result)
    return render(
        request,
        "notify/list.html",
        {"list": result, "page": result.page(), "unread_only": bool(request.GET.get("unread"))},
        status=result.status,
    )


@login_required
@require_POST
def notification_open(request, pk: int):
    """Mark one notification read and go to its record."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(notification=notification, actor=request.user)
    link = notification.link
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    return redirect("notify:list")


@login_required
@require_POST
def notification_read_all(request):
    count = notifications_mark_all_read(actor=request.user)
    messages.success(request, f"已将 {count} 条通知标记为已读")
    return redirect("notify:list")
