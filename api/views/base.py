from django.db import transaction
from drf_spectacular.utils import OpenApiResponse
from rest_framework import generics, viewsets

from pmis.audit import channel

from ..serializers import ErrorSerializer


class ApiMixin:
    """Every API view: the channel mark on audit rows lasts exactly one request."""

    def dispatch(self, request, *args, **kwargs):
        channel.clear()
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            channel.clear()


class ApiViewSet(ApiMixin, viewsets.GenericViewSet):
    lookup_value_converter = "int"


class ApiGeneric(ApiMixin, generics.GenericAPIView):
    pass


def errors(*codes: int) -> dict:
    texts = {
        400: "请求内容有误（fields 列出各字段的错误）",
        401: "未提供令牌，或令牌无效、已过期、已吊销",
        403: "无权执行该操作",
        404: "记录不存在或无权查看",
        409: "记录已被他人处理（version 过期）",
        422: "业务规则不允许（message 说明原因）",
        429: "调用过于频繁",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=texts[code]) for code in codes}


def locked(model, pk):
    """Re-read a record under lock inside the caller's transaction."""
    assert transaction.get_connection().in_atomic_block
    return model._default_manager.select_for_update(of=("self",)).get(pk=pk)
