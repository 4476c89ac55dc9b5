from django.db import transaction
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from pmis.catalog.models import DocumentType
from pmis.documents.services import attachment_add
from pmis.lists import keyword_filter
from pmis.org.selectors import user_role_codes
from registrations.forms import IntegratedSystemForm, RegistrationForm, StakeholderFormSet, SystemFormSet
from registrations.lists import SEARCH_FIELDS
from registrations.models import Kind, Registration, State
from registrations.selectors import registration_can_attach, registrations_visible
from registrations.services import RegistrationIncomplete, registration_save, registration_submit

from ..serializers import (
    AttachmentSerializer,
    RegistrationCreateSerializer,
    RegistrationDetailSerializer,
    RegistrationListSerializer,
)
from .base import ApiViewSet, errors

FILTERS = [
    OpenApiParameter("q", str, description="关键字：登记号、客户名称或简称"),
    OpenApiParameter("state", str, enum=State.values, description="状态"),
    OpenApiParameter("kind", str, enum=Kind.values, description="登记类别"),
]


def _formset_data(prefix: str, rows: list[dict], fields: tuple[str, ...]) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        for name in fields:
            if name in row and row[name] is not None:
                data[f"{prefix}-{i}-{name}"] = row[name]
    return data


def _form_errors(form, stakeholders, systems) -> dict:
    fields = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    for prefix, formset in (("stakeholders", stakeholders), ("systems", systems)):
        for i, errs in enumerate(formset.errors):
            for name, messages in errs.items():
                fields[f"{prefix}[{i}].{name}"] = [str(m) for m in messages]
        for message in formset.non_form_errors():
            fields.setdefault(prefix, []).append(str(message))
    return fields


class AttachSerializer(serializers.Serializer):
    doc_type = serializers.SlugRelatedField(
        slug_field="code", queryset=DocumentType.objects.all(), help_text="文档类型代码"
    )
    file = serializers.FileField(help_text="文件（与页面上传相同的类型与大小限制）")


@extend_schema_view(
    list=extend_schema(
        summary="我能看到的实施登记",
        parameters=FILTERS,
        responses={200: RegistrationListSerializer, **errors(400, 401, 403, 429)},
    ),
    retrieve=extend_schema(
        summary="实施登记详情（含审批记录）",
        responses={200: RegistrationDetailSerializer, **errors(401, 403, 404, 429)},
    ),
)
class RegistrationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    write_scope = "registrations"
    serializer_class = RegistrationListSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        qs = registrations_visible(self.request.user).select_related("owner", "region")
        params = self.request.query_params
        if self.action == "list":
            if params.get("state"):
                if params["state"] not in State.values:
                    raise ValidationError({"state": ["无效的状态"]})
                qs = qs.filter(state=params["state"])
            if params.get("kind"):
                if params["kind"] not in Kind.values:
                    raise ValidationError({"kind": ["无效的登记类别"]})
                qs = qs.filter(kind=params["kind"])
            keyword = params.get("q", "").strip()
            if keyword:
                qs = keyword_filter(qs, SEARCH_FIELDS, keyword)
        return qs

    def get_serializer_class(self):
        return RegistrationDetailSerializer if self.action == "retrieve" else RegistrationListSerializer

    @extend_schema(
        summary="创建实施登记草稿（仅销售）",
        request=RegistrationCreateSerializer,
        responses={201: RegistrationDetailSerializer, **errors(400, 401, 403, 429)},
    )
    def create(self, request):
        user = request.user
        if not (user.is_superuser or "sales" in user_role_codes(user)):
            raise PermissionDenied("只有销售可以提交实施登记")
        payload = RegistrationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        kind = data.pop("kind")
        stakeholder_rows = data.pop("stakeholders", [])
        system_rows = data.pop("systems", [])
        registration = Registration(kind=kind)
        form_data = {k: ("" if v is None else v) for k, v in data.items()}
        form = RegistrationForm(form_data, instance=registration, kind=kind)
        stakeholders = StakeholderFormSet(
            _formset_data("stakeholders", stakeholder_rows, ("name", "phone", "role")),
            instance=registration,
            prefix="stakeholders",
        )
        systems = SystemFormSet(
            _formset_data("systems", system_rows, tuple(IntegratedSystemForm.Meta.fields)),
            instance=registration,
            prefix="systems",
        )
        if not (form.is_valid() and stakeholders.is_valid() and systems.is_valid()):
            raise ValidationError(_form_errors(form, stakeholders, systems))
        with transaction.atomic():
            registration = registration_save(
                form=form, stakeholders=stakeholders, systems=systems, actor=user, kind=kind
            )
        return Response(
            RegistrationDetailSerializer(registration, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="上传附件（与页面相同的检查）",
        request={"multipart/form-data": AttachSerializer},
        responses={201: AttachmentSerializer, **errors(400, 401, 403, 404, 422, 429)},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        registration = self.get_object()
        if not registration_can_attach(request.user, registration):
            raise PermissionDenied("您不能为该登记上传附件")
        payload = AttachSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        attachment = attachment_add(
            subject=registration,
            doc_type=payload.validated_data["doc_type"],
            upload=payload.validated_data["file"],
            actor=request.user,
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="提交审批",
        request=None,
        responses={200: RegistrationDetailSerializer, **errors(401, 403, 404, 409, 422, 429)},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        registration = self.get_object()
        if registration.owner_id != request.user.pk:
            raise PermissionDenied("只有责任销售本人可以提交该登记")
        try:
            registration = registration_submit(registration=registration, actor=request.user)
        except RegistrationIncomplete as exc:
            raise ValidationError({"non_field_errors": [str(exc)], **{k: [v] for k, v in exc.missing.items()}}) from exc
        return Response(RegistrationDetailSerializer(registration, context={"request": request}).data)

    def get_object(self):
        registration = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if registration is None:
            raise Http404
        return registration
