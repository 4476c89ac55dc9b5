"""One error body for every refusal: {"code", "message", "fields"} — the same Chinese messages
the pages show."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django_fsm import TransitionNotAllowed
from rest_framework import exceptions, status
from rest_framework.response import Response

from approvals.errors import AlreadyDecided, DomainError


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "记录已被他人处理，请刷新后查看最新状态"


class Refused(exceptions.APIException):
    """A business rule refused the call (the same message the page shows)."""

    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "refused"
    default_detail = "该操作不被允许"


CODES = {
    400: ("invalid", "请求内容有误，请按提示修改"),
    401: ("unauthenticated", "请提供有效的接口令牌"),
    403: ("forbidden", "您无权执行该操作"),
    404: ("not_found", "记录不存在或您无权查看"),
    405: ("method_not_allowed", "不支持该请求方法"),
    406: ("not_acceptable", "仅支持 JSON"),
    409: ("conflict", "记录已被他人处理，请刷新后查看最新状态"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("refused", "该操作不被允许"),
    429: ("throttled", "调用过于频繁，请稍后再试"),
}


def body(status_code: int, message: str = "", fields: dict | None = None, code: str = "") -> dict:
    default_code, default_message = CODES.get(status_code, ("error", "请求失败"))
    return {"code": code or default_code, "message": message or default_message, "fields": fields or {}}


def _chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _field_messages(detail) -> dict:
    fields = {}
    for name, value in (detail or {}).items():
        items = value if isinstance(value, list) else [value]
        fields[name] = [str(v) for v in items]
    return fields


def exception_handler(exc, context):
    """Map domain and framework errors to the one body. Anything not handled here is a bug and
    stays a 500 (logged), never a silent success."""
    if isinstance(exc, AlreadyDecided):
        exc = Conflict(str(exc))
    elif isinstance(exc, TransitionNotAllowed):
        exc = Conflict("该记录的状态已经变化，当前状态下不能执行这个操作")
    elif isinstance(exc, DomainError):
        exc = Refused(str(exc))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        message = str(exc) if exc.args and _chinese(str(exc)) else ""
        exc = exceptions.NotFound(message or CODES[404][1])
    elif isinstance(exc, DjangoPermissionDenied):
        message = str(exc)
        exc = exceptions.PermissionDenied(message if _chinese(message) else CODES[403][1])
    if not isinstance(exc, exceptions.APIException):
        return None
    code = exc.status_code
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = _field_messages(detail)
            general = fields.pop("non_field_errors", [])
            message = "；".join(general) if general else CODES[400][1]
            return Response(body(400, message, fields), status=400, headers=headers)
        message = "；".join(str(d) for d in detail) if isinstance(detail, list) else str(detail)
        return Response(body(400, message), status=400, headers=headers)
    message = str(exc.detail) if not isinstance(exc.detail, (list, dict)) else ""
    if isinstance(exc, exceptions.NotAuthenticated):
        message = CODES[401][1]
    elif isinstance(exc, exceptions.Throttled):
        message = f"调用过于频繁，请 {int(exc.wait or 1)} 秒后再试"
    elif not _chinese(message):
        message = ""
    return Response(body(code, message), status=code, headers=headers)
