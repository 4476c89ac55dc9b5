"""The user's own 接口令牌 page: create a token (its key shown once), see the others, revoke."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from approvals.errors import DomainError

from .models import ApiToken, Scope
from .tokens import MAX_DAYS, token_create, token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(label="名称", max_length=64, help_text="用途，如“OA 待办同步”")
    days = forms.IntegerField(label="有效期（天）", min_value=1, max_value=MAX_DAYS, initial=90)
    scopes = forms.MultipleChoiceField(
        label="权限范围",
        choices=Scope.choices,
        initial=[Scope.READ],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "请至少选择一项权限范围"},
    )


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    shown_key = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, shown_key = token_create(
                user=request.user, actor=request.user, name=data["name"], days=data["days"], scopes=data["scopes"]
            )
        except DomainError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, f"已创建令牌“{token.name}”。请立即复制保存，离开本页后将无法再次查看。")
            form = TokenForm()
    rows = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-id")
    return render(request, "api/tokens.html", {"form": form, "tokens": rows, "shown_key": shown_key})


@login_required
@require_POST
def token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk)
    if token.user_id != request.user.pk:
        raise PermissionDenied("只能吊销自己的接口令牌")
    try:
        token_revoke(token=token, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已吊销令牌“{token.name}”，使用它的调用将被拒绝")
    return redirect("api:tokens")
