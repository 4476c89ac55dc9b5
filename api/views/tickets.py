from django.db import transaction
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from aftersales import services
from aftersales.forms import AssignForm, TicketForm, TriageForm
from aftersales.models import Ticket
from aftersales.selectors import QUEUES, ticket_default_queue, ticket_queue
from approvals.errors import AlreadyDecided
from pmis.lists import keyword_filter
from pmis.org.selectors import user_role_codes

from ..serializers import (
    CommentSerializer,
    ReplySerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketSerializer,
)
from .base import ApiViewSet, errors

ACTIONS = ("triage", "assign", "dispatch", "start", "pause", "resume", "resolve", "reopen", "close")


class TicketActSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[(a, a) for a in ACTIONS], help_text="分级 / 指派 / 派单 / 开始 / 暂停 / 恢复 / 解决 / 重开 / 关闭"
    )
    version = serializers.CharField(required=False, help_text="读取时的 state；与当前不一致时返回 409")
    severity = serializers.IntegerField(required=False, min_value=1, help_text="分级：问题级别（时限策略 ID）")
    to = serializers.IntegerField(required=False, min_value=1, help_text="指派 / 派单：处理人 ID")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="暂停 / 重开的原因")
    resolution = serializers.CharField(required=False, allow_blank=True, max_length=5000, help_text="解决方案")
    confirmation = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="客户确认")


def _can_use_tickets(user) -> bool:
    return user.is_superuser or bool(user_role_codes(user) & (services.AFTERSALES_ROLES | {"regional_pm"}))


@extend_schema_view(
    list=extend_schema(
        summary="售后问题（与问题列表的队列相同）",
        parameters=[
            OpenApiParameter("queue", str, enum=list(QUEUES), description="队列；默认同页面"),
            OpenApiParameter("state", str, enum=Ticket.State.values, description="状态"),
            OpenApiParameter("q", str, description="关键字：单号、主题、单位"),
        ],
        responses={200: TicketSerializer, **errors(400, 401, 403, 429)},
    ),
    retrieve=extend_schema(
        summary="售后问题详情（对话与处理记录）", responses={200: TicketDetailSerializer, **errors(401, 403, 404, 429)}
    ),
)
class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    write_scope = "tickets"
    serializer_class = TicketSerializer

    def get_queryset(self):
        user = self.request.user
        if not _can_use_tickets(user):
            raise PermissionDenied("只有售后、客户成功与区域项目经理可以查看售后问题")
        if self.action != "list":
            return Ticket.objects.select_related("project", "severity", "assignee")
        params = self.request.query_params
        queue = params.get("queue") or ticket_default_queue(user)
        if queue not in QUEUES:
            raise ValidationError({"queue": ["无效的队列"]})
        qs = ticket_queue(user, queue).select_related("project", "severity", "assignee")
        if params.get("state"):
            if params["state"] not in Ticket.State.values:
                raise ValidationError({"state": ["无效的状态"]})
            qs = qs.filter(state=params["state"])
        keyword = params.get("q", "").strip()
        if keyword:
            qs = keyword_filter(qs, ("number", "subject", "reporting_unit"), keyword)
        return qs

    def get_serializer_class(self):
        return TicketDetailSerializer if self.action == "retrieve" else TicketSerializer

    def get_object(self):
        ticket = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if ticket is None or not services.ticket_can_view(self.request.user, ticket):
            raise Http404
        return ticket

    @extend_schema(
        summary="登记问题申报单（售后与客户成功）",
        request=TicketCreateSerializer,
        responses={201: TicketDetailSerializer, **errors(400, 401, 403, 422, 429)},
    )
    def create(self, request):
        if not services._is_aftersales(request.user):
            raise PermissionDenied("只有售后与客户成功人员可以登记问题申报单")
        payload = TicketCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["reported_at"] = timezone.localtime(data["reported_at"]).strftime("%Y-%m-%dT%H:%M")
        form = TicketForm(data)
        if not form.is_valid():
            raise ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})
        fields = {k: v for k, v in form.cleaned_data.items() if k != "project_code"}
        ticket = services.ticket_create(project=form.project, actor=request.user, data=fields)
        return Response(
            TicketDetailSerializer(ticket, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="回复（或内部备注）",
        request=ReplySerializer,
        responses={201: CommentSerializer, **errors(400, 401, 403, 404, 422, 429)},
    )
    @action(detail=True, methods=["post"])
    def replies(self, request, pk=None):
        ticket = self.get_object()
        payload = ReplySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        comment = services.ticket_comment_add(
            ticket=ticket,
            actor=request.user,
            body=payload.validated_data["body"],
            internal=payload.validated_data.get("internal", False),
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="处理：分级、指派、开始、暂停、恢复、解决、重开、关闭（与页面相同的规则）",
        request=TicketActSerializer,
        responses={200: TicketDetailSerializer, **errors(400, 401, 403, 404, 409, 422, 429)},
    )
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        payload = TicketActSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        with transaction.atomic():
            ticket = self.get_object()
            ticket = Ticket.objects.select_for_update(of=("self",)).select_related("project__region").get(pk=ticket.pk)
            if data.get("version") and data["version"] != ticket.state:
                raise AlreadyDecided(f"该问题已变为“{ticket.get_state_display()}”，请刷新后再处理")
            self._run(ticket, data)
        ticket.refresh_from_db()
        return Response(TicketDetailSerializer(ticket, context={"request": request}).data)

    def _run(self, ticket: Ticket, data: dict) -> None:
        user, name = self.request.user, data["action"]
        if name == "triage":
            form = TriageForm({"severity": data.get("severity") or ""})
            if not form.is_valid():
                raise ValidationError({"severity": ["请选择问题级别"]})
            services.ticket_triage(ticket=ticket, actor=user, severity=form.cleaned_data["severity"])
        elif name in ("assign", "dispatch"):
            form = AssignForm({"to": data.get("to") or ""}, dispatch=name == "dispatch", region=ticket.project.region)
            if not form.is_valid():
                raise ValidationError({"to": ["请选择处理人"]})
            services.ticket_assign(ticket=ticket, actor=user, to=form.cleaned_data["to"], dispatch=name == "dispatch")
        elif name == "start":
            services.ticket_start(ticket=ticket, actor=user)
        elif name == "pause":
            services.ticket_pause(ticket=ticket, actor=user, reason=data.get("reason", ""))
        elif name == "resume":
            services.ticket_resume(ticket=ticket, actor=user)
        elif name == "resolve":
            services.ticket_resolve(ticket=ticket, actor=user, resolution=data.get("resolution", ""))
        elif name == "reopen":
            services.ticket_reopen(ticket=ticket, actor=user, reason=data.get("reason", ""))
        else:
            services.ticket_close(ticket=ticket, actor=user, confirmation=data.get("confirmation", ""))
