from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from approvals.decisions import task_was_for
from approvals.models import Task
from approvals.selectors import inbox_for

from ..inbox import task_act
from ..pagination import Cursor
from ..serializers import TaskActSerializer, TaskSerializer
from .base import ApiViewSet, errors


class OldestFirst(Cursor):
    ordering = "id"


@extend_schema_view(
    list=extend_schema(
        summary="我的待办（与工作台的“我的待办”相同）", responses={200: TaskSerializer, **errors(401, 403, 429)}
    ),
    retrieve=extend_schema(summary="一条待办", responses={200: TaskSerializer, **errors(401, 403, 404, 429)}),
)
class InboxViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Only what waits on the caller; the same query as the inbox page."""

    write_scope = "inbox"
    serializer_class = TaskSerializer
    pagination_class = OldestFirst

    def get_queryset(self):
        return inbox_for(self.request.user).select_related("content_type")

    @extend_schema(
        summary="办理待办：通过 / 退回 / 驳回（与页面相同的规则）",
        request=TaskActSerializer,
        responses={200: TaskSerializer, **errors(400, 401, 403, 404, 409, 422, 429)},
    )
    @action(detail=True, methods=["post"])
    def act(self, request, pk=None):
        payload = TaskActSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        with transaction.atomic():
            task = Task.objects.select_for_update(of=("self",)).filter(pk=pk).first()
            if task is None:
                raise Http404
            # a step that never waited on the caller is not theirs to know about
            if not task_was_for(request.user, task):
                raise Http404
            task_act(
                task=task,
                actor=request.user,
                decision=data["decision"],
                comment=data.get("comment", ""),
                version=data["version"],
                review=data.get("review"),
            )
        task.refresh_from_db()
        return Response(TaskSerializer(task).data)
