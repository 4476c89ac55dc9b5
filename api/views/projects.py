from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.exceptions import ValidationError

from pmis.lists import keyword_filter
from projects.models import Project
from projects.selectors import projects_visible

from ..serializers import ProjectDetailSerializer, ProjectListSerializer
from .base import ApiViewSet, errors

State = Project._meta.get_field("state").choices


@extend_schema_view(
    list=extend_schema(
        summary="我能看到的项目",
        parameters=[
            OpenApiParameter("q", str, description="关键字：项目编号、名称或客户"),
            OpenApiParameter("state", str, enum=[c[0] for c in State], description="阶段"),
        ],
        responses={200: ProjectListSerializer, **errors(400, 401, 403, 429)},
    ),
    retrieve=extend_schema(
        summary="项目：阶段、项目组、各阶段文档、文档列表",
        responses={200: ProjectDetailSerializer, **errors(401, 403, 404, 429)},
    ),
)
class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = ProjectListSerializer

    def get_queryset(self):
        qs = projects_visible(self.request.user).select_related("region", "pm")
        params = self.request.query_params
        if self.action == "list":
            state = params.get("state", "")
            if state:
                if state not in dict(State):
                    raise ValidationError({"state": ["无效的阶段"]})
                qs = qs.filter(state=state)
            keyword = params.get("q", "").strip()
            if keyword:
                qs = keyword_filter(qs, ("code", "name", "customer_name"), keyword)
        return qs

    def get_serializer_class(self):
        return ProjectDetailSerializer if self.action == "retrieve" else ProjectListSerializer

    def get_object(self):
        project = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if project is None:
            raise Http404
        return project
