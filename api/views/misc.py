"""Notifications, lookups and metrics."""

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from aftersales.forms import MetricsForm
from aftersales.selectors import sla_metrics
from pmis.catalog.models import Product
from pmis.notify.selectors import notifications_for
from pmis.notify.services import notification_mark_read, notifications_mark_all_read
from pmis.org.models import Region, User
from pmis.org.selectors import user_role_codes
from pmis.search.selectors import PERSON_FIELDS, _ranked

from ..serializers import NotificationSerializer, PersonSerializer, ProductSerializer, RegionSerializer
from .base import ApiGeneric, ApiViewSet, errors


@extend_schema_view(
    list=extend_schema(
        summary="我的通知",
        parameters=[OpenApiParameter("unread", bool, description="只看未读")],
        responses={200: NotificationSerializer, **errors(401, 403, 429)},
    ),
)
class NotificationViewSet(mixins.ListModelMixin, ApiViewSet):
    write_scope = "notifications"
    serializer_class = NotificationSerializer

    def get_queryset(self):
        qs = notifications_for(self.request.user)
        if self.request.query_params.get("unread") in ("true", "1"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    @extend_schema(
        summary="标记已读", request=None, responses={200: NotificationSerializer, **errors(401, 403, 404, 429)}
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = notifications_for(request.user).filter(pk=pk).first()
        if notification is None:
            raise Http404
        notification_mark_read(notification=notification, actor=request.user)
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(
        summary="全部标记已读",
        request=None,
        responses={200: inline_serializer("ReadAll", {"marked": serializers.IntegerField()}), **errors(401, 403, 429)},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": notifications_mark_all_read(actor=request.user)})


@extend_schema_view(
    list=extend_schema(summary="产品目录（在售）", responses={200: ProductSerializer, **errors(401, 403, 429)})
)
class ProductViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = ProductSerializer
    pagination_class = None

    def get_queryset(self):
        return Product.objects.filter(is_active=True).order_by("sort_order", "id")


@extend_schema_view(
    list=extend_schema(summary="区域与省份", responses={200: RegionSerializer, **errors(401, 403, 429)})
)
class RegionViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = RegionSerializer
    pagination_class = None

    def get_queryset(self):
        return Region.objects.prefetch_related("provinces").order_by("id")


@extend_schema_view(
    list=extend_schema(
        summary="按姓名或账号查找人员",
        parameters=[OpenApiParameter("q", str, required=True, pattern=r".*\S.*", description="关键字（至少 1 个字）")],
        responses={200: PersonSerializer, **errors(400, 401, 403, 429)},
    )
)
class PeopleViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = PersonSerializer
    pagination_class = None

    def get_queryset(self):
        keyword = self.request.query_params.get("q", "").strip()
        if not keyword:
            raise ValidationError({"q": ["请输入关键字"]})
        return _ranked(User.objects.filter(is_active=True), PERSON_FIELDS, keyword)[:20]


class SlaMetricsView(ApiGeneric):
    """The SLA figures of the 度量考核 page, with their formulas."""

    serializer_class = None

    @extend_schema(
        summary="SLA 指标（按月、按区域）",
        parameters=[
            OpenApiParameter("month", str, description="月份，如 2026-11；默认本月"),
            OpenApiParameter("region", int, description="区域 ID"),
        ],
        responses={
            200: inline_serializer(
                "SlaMetrics",
                {
                    "month": serializers.CharField(),
                    "overall": serializers.DictField(),
                    "rows": serializers.ListField(child=serializers.DictField()),
                    "formulas": serializers.ListField(child=serializers.ListField(child=serializers.CharField())),
                },
            ),
            **errors(400, 401, 403, 429),
        },
    )
    def get(self, request):
        roles = user_role_codes(request.user)
        if not (
            request.user.is_superuser or roles & {"aftersales_manager", "aftersales", "cs_head", "project_director"}
        ):
            raise PermissionDenied("只有售后运维部、客户成功负责人与项目总监可以查看 SLA 指标")
        params = request.query_params.copy()
        params.setdefault("month", timezone.localdate().strftime("%Y-%m"))
        form = MetricsForm(params)
        if not form.is_valid():
            raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        data = form.cleaned_data
        figures = sla_metrics(month=data.get("month"), region=data.get("region"))

        def clean(row: dict) -> dict:
            out = {}
            for key, value in row.items():
                if hasattr(value, "total_seconds"):
                    value = value.total_seconds()
                out[key] = value
            return out

        return Response(
            {
                "month": params["month"],
                "overall": clean(figures["overall"]),
                "rows": [clean(r) for r in figures["rows"]],
                "formulas": [list(f) for f in figures["formulas"]],
            }
        )
