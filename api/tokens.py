"""Create, find and revoke API tokens. A token is `pmis_` + 40 random characters; only its
SHA-256 is stored."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from approvals.errors import DomainError
from pmis.audit.services import audit_record

from .models import ALL_SCOPES, ApiToken

PREFIX = "pmis_"
MAX_DAYS = 366


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def token_create(*, user, actor, name: str, days: int, scopes: list[str] | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it and the key, which is never shown again."""
    if actor != user and not actor.is_superuser:
        raise PermissionDenied("只能为自己创建接口令牌")
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写令牌名称")
    if not 1 <= days <= MAX_DAYS:
        raise DomainError(f"有效期须在 1 到 {MAX_DAYS} 天之间")
    scopes = list(dict.fromkeys(scopes if scopes is not None else ALL_SCOPES))
    unknown = [s for s in scopes if s not in ALL_SCOPES]
    if unknown or not scopes:
        raise DomainError("请至少选择一项有效的权限范围")
    if ApiToken.objects.filter(user=user, name=name).exists():
        raise DomainError(f"已有名为“{name}”的令牌，请换一个名称")
    raw = PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=raw[: len(PREFIX) + 6],
        key_hash=key_hash(raw),
        scopes=scopes,
        expires_at=timezone.now() + timedelta(days=days),
        created_by=actor,
    )
    audit_record(subject=token, action="api_token.create", label=f"创建接口令牌：{name}", actor=actor)
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, actor) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied("只能吊销自己的接口令牌")
    if token.revoked_at is not None:
        raise DomainError("该令牌已吊销")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(subject=token, action="api_token.revoke", label=f"吊销接口令牌：{token.name}", actor=actor)
    return token


def token_find(raw: str) -> ApiToken | None:
    if not raw.startswith(PREFIX):
        return None
    return ApiToken.objects.select_related("user").filter(key_hash=key_hash(raw)).first()
