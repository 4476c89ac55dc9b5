from rest_framework import permissions

from .models import ApiToken


class TokenScope(permissions.BasePermission):
    """A token may read whatever its user may see; writing needs the view's scope on the token.
    The browser session acts with the user's own rights."""

    message = "该令牌没有此操作的权限范围"

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        scope = "read" if request.method in permissions.SAFE_METHODS else getattr(view, "write_scope", None)
        return scope is not None and scope in token.scopes
