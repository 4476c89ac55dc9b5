from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from pmis.audit import channel

from .models import ApiToken
from .tokens import token_find


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer pmis_…`. Every audit row the call writes says it came through the
    API and names the token."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() not in ("bearer", "token"):
            raise exceptions.AuthenticationFailed("Authorization 头格式应为：Bearer <令牌>")
        token = token_find(parts[1])
        if token is None:
            raise exceptions.AuthenticationFailed("令牌无效")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("令牌已吊销")
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed("令牌已过期")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("令牌所属账号已停用")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        channel.set_for_request("api", token.name)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="pmis"'


class SessionAuthentication(authentication.SessionAuthentication):
    """The browser's own session (the documentation page tries calls with it); CSRF applies."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            channel.set_for_request("api", "浏览器会话")
        return result


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "令牌"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "个人或服务账号的接口令牌：Bearer pmis_…"}


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.SessionAuthentication"
    name = "会话"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
