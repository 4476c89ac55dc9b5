"""What the API reads and writes. Input is validated again by the pages' own forms and services,
so the rules (and their Chinese messages) are the same on both."""

from rest_framework import serializers

from aftersales.models import Ticket, TicketComment
from approvals.models import Task
from pmis.audit.models import AuditEntry
from pmis.catalog.models import Product
from pmis.notify.models import Notification
from pmis.org.models import Region, User
from projects.models import Project
from registrations.models import IntegratedSystem, Registration


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="机器可读的错误代码，如 invalid / forbidden / conflict")
    message = serializers.CharField(help_text="给人看的中文说明")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), help_text="字段名 → 该字段的错误"
    )


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name"]

    def get_name(self, user) -> str:
        return user.display_name or user.username


class HistorySerializer(serializers.ModelSerializer):
    actor = PersonSerializer(allow_null=True)
    via = serializers.CharField(source="via_text")
    from_label = serializers.CharField()
    to_label = serializers.CharField()

    class Meta:
        model = AuditEntry
        fields = ["id", "at", "action", "action_label", "from_state", "from_label", "to_state", "to_label",
                  "actor", "comment", "via"]  # fmt: skip


class RegistrationListSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display")
    kind_label = serializers.CharField(source="get_kind_display")
    region = serializers.CharField(source="region.name", allow_null=True, default=None)
    owner = PersonSerializer()

    class Meta:
        model = Registration
        fields = ["id", "number", "title", "kind", "kind_label", "state", "state_label", "special",
                  "customer_name", "region", "owner", "created_at", "updated_at"]  # fmt: skip


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    doc_type = serializers.CharField(source="doc_type.code")
    doc_type_label = serializers.CharField(source="doc_type.name")
    version = serializers.IntegerField()
    filename = serializers.CharField(source="original_name")
    uploaded_at = serializers.DateTimeField()


class RegistrationDetailSerializer(RegistrationListSerializer):
    waiting_on = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()

    class Meta(RegistrationListSerializer.Meta):
        fields = [*RegistrationListSerializer.Meta.fields, "contract_amount", "customer_short_name",
                  "waiting_on", "missing", "history"]  # fmt: skip

    def get_waiting_on(self, registration) -> list[str]:
        from approvals.selectors import open_tasks_for

        return [t.step_label for t in open_tasks_for(registration)]

    def get_missing(self, registration) -> dict[str, str]:
        from registrations.services import missing_items

        if registration.state not in ("draft", "returned"):
            return {}
        return missing_items(registration)

    def get_history(self, registration) -> HistorySerializer(many=True):
        from pmis.audit.selectors import audit_for

        return HistorySerializer(audit_for(registration), many=True).data


class StakeholderInput(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    role = serializers.CharField(max_length=50, required=False, allow_blank=True)


class SystemInput(serializers.Serializer):
    system_type = serializers.ChoiceField(choices=IntegratedSystem.SystemType.choices)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    vendor = serializers.CharField(max_length=100, required=False, allow_blank=True)


def _drf_field(field):
    """The API twin of a registration form field: same type, same choices; the form still
    validates every value (bounds, region and province, the kind's own fields)."""
    from django import forms

    common = {"required": False, "help_text": str(field.label)}
    if isinstance(field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(min_value=1), **common)
    if isinstance(field, forms.ModelChoiceField):
        return serializers.IntegerField(min_value=1, allow_null=True, **common)
    if isinstance(field, forms.MultipleChoiceField):
        return serializers.MultipleChoiceField(choices=[c for c in field.choices if c[0]], **common)
    if isinstance(field, forms.ChoiceField):
        return serializers.ChoiceField(choices=[c for c in field.choices if c[0]], allow_blank=True, **common)
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(**common)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(allow_null=True, **common)
    if isinstance(field, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=field.max_digits,
            decimal_places=field.decimal_places,
            allow_null=True,
            coerce_to_string=False,
            **common,
        )
    if isinstance(field, forms.DateField):
        return serializers.DateField(allow_null=True, **common)
    return serializers.CharField(allow_blank=True, max_length=field.max_length, **common)


def _registration_fields() -> dict:
    from registrations.forms import RegistrationForm
    from registrations.models import Kind

    fields = {}
    for kind in Kind.values:
        for name, field in RegistrationForm(kind=kind).fields.items():
            fields.setdefault(name, _drf_field(field))
    return fields


class RegistrationCreateSerializer(serializers.Serializer):
    """A draft, with the fields of the registration form for its kind (本地化 / SaaS / 升级 each
    use their own; a field the kind does not use is ignored). Nothing is required until submit."""

    kind = serializers.ChoiceField(choices=Registration._meta.get_field("kind").choices)
    stakeholders = StakeholderInput(many=True, required=False)
    systems = SystemInput(many=True, required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields.update(_registration_fields())
        return fields


class TaskSerializer(serializers.ModelSerializer):
    record_type = serializers.SerializerMethodField()
    version = serializers.SerializerMethodField(help_text="办理时原样带回；记录已变化时返回 409")
    actions = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "step", "step_label", "title", "link", "record_type", "object_id", "created_at",
                  "due_at", "version", "actions"]  # fmt: skip

    def get_record_type(self, task) -> str:
        return task.content_type.model

    def get_version(self, task) -> str:
        from .inbox import task_version

        return task_version(task)

    def get_actions(self, task) -> list[str]:
        from .inbox import actions_for

        return actions_for(task)


class TaskActSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("approve", "通过"), ("return", "退回"), ("reject", "驳回")])
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.CharField(help_text="读取待办时得到的 version")
    review = serializers.DictField(
        child=serializers.BooleanField(), required=False, help_text='商务审批的审核要点，如 {"contract_status": true}'
    )


class ProjectListSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display")
    kind_label = serializers.CharField(source="get_kind_display")
    region = serializers.CharField(source="region.name")
    pm = PersonSerializer(allow_null=True)

    class Meta:
        model = Project
        fields = ["id", "code", "name", "kind", "kind_label", "state", "state_label", "customer_name", "region",
                  "pm", "created_at"]  # fmt: skip


class PhaseDocumentSerializer(serializers.Serializer):
    name = serializers.CharField()
    present = serializers.BooleanField()


class PhaseSerializer(serializers.Serializer):
    phase = serializers.CharField()
    current = serializers.BooleanField()
    documents = PhaseDocumentSerializer(many=True)


class TeamRoleSerializer(serializers.Serializer):
    role = serializers.CharField()
    members = serializers.ListField(child=serializers.CharField())


class PlanItemSerializer(serializers.Serializer):
    seq = serializers.IntegerField(help_text="编号")
    name = serializers.CharField()
    kind = serializers.CharField(help_text="task 工作任务 / milestone 里程碑")
    status = serializers.CharField()
    planned_start = serializers.DateField()
    planned_end = serializers.DateField()
    actual_start = serializers.DateField(allow_null=True)
    actual_end = serializers.DateField(allow_null=True)
    baseline_start = serializers.DateField(allow_null=True)
    baseline_end = serializers.DateField(allow_null=True)
    predecessors = serializers.ListField(child=serializers.IntegerField(), help_text="前置任务的编号")
    late = serializers.BooleanField(help_text="延期：已过计划结束日期且未完成")


class ProjectDetailSerializer(ProjectListSerializer):
    phases = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    plan = serializers.SerializerMethodField()

    class Meta(ProjectListSerializer.Meta):
        fields = [*ProjectListSerializer.Meta.fields, "phases", "team", "documents", "plan"]

    def get_plan(self, project) -> PlanItemSerializer(many=True):
        """The milestone plan (计划): each item with its dates, baseline, predecessors and 延期."""
        from planning.plan import is_late

        items = list(project.plan_items.prefetch_related("predecessors").order_by("seq"))
        return [
            {
                **{f: getattr(i, f) for f in ("seq", "name", "kind", "status", "planned_start", "planned_end",
                                              "actual_start", "actual_end", "baseline_start", "baseline_end")},
                "predecessors": sorted(p.seq for p in i.predecessors.all()),
                "late": is_late(i),
            }
            for i in items
        ]  # fmt: skip

    def get_phases(self, project) -> PhaseSerializer(many=True):
        from projects.gates import phase_checklist

        return PhaseSerializer(phase_checklist(project), many=True).data

    def get_team(self, project) -> TeamRoleSerializer(many=True):
        from projects import team

        return [
            {"role": str(role), "members": [getattr(m, "display_name", "") or str(m) for m in people]}
            for role, people in team.members(project).items()
        ]

    def get_documents(self, project) -> AttachmentSerializer(many=True):
        from pmis.documents.selectors import attachments_for

        return AttachmentSerializer(attachments_for(project), many=True).data


class TicketSerializer(serializers.ModelSerializer):
    state_label = serializers.CharField(source="get_state_display")
    project = serializers.CharField(source="project.code")
    severity = serializers.CharField(source="severity.name", allow_null=True, default=None)
    assignee = PersonSerializer(allow_null=True)

    class Meta:
        model = Ticket
        fields = ["id", "number", "subject", "state", "state_label", "project", "severity", "assignee",
                  "reported_at", "due_at", "resolved_at", "created_at"]  # fmt: skip


class CommentSerializer(serializers.ModelSerializer):
    author = PersonSerializer()

    class Meta:
        model = TicketComment
        fields = ["id", "author", "body", "internal", "created_at"]


class TicketDetailSerializer(TicketSerializer):
    conversation = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()

    class Meta(TicketSerializer.Meta):
        fields = [*TicketSerializer.Meta.fields, "reporting_unit", "reporter", "description", "resolution",
                  "conversation", "history"]  # fmt: skip

    def get_conversation(self, ticket) -> CommentSerializer(many=True):
        from aftersales.selectors import ticket_conversation

        rows = [r for r in ticket_conversation(self.context["request"].user, ticket) if isinstance(r, TicketComment)]
        return CommentSerializer(rows, many=True).data

    def get_history(self, ticket) -> HistorySerializer(many=True):
        from pmis.audit.selectors import audit_for

        return HistorySerializer(audit_for(ticket), many=True).data


class TicketCreateSerializer(serializers.Serializer):
    project_code = serializers.CharField(max_length=32)
    subject = serializers.CharField(max_length=200)
    reporting_unit = serializers.CharField(max_length=200)
    reporter = serializers.CharField(max_length=50)
    reporter_phone = serializers.CharField(max_length=50)
    reported_at = serializers.DateTimeField()
    channel = serializers.CharField(max_length=16)
    situation = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField()
    time_requirement = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ReplySerializer(serializers.Serializer):
    body = serializers.CharField(max_length=5000)
    internal = serializers.BooleanField(required=False, default=False)


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at"]


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "code", "name"]


class ProvinceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RegionSerializer(serializers.ModelSerializer):
    provinces = serializers.SerializerMethodField()

    class Meta:
        model = Region
        fields = ["id", "code", "name", "provinces"]

    def get_provinces(self, region) -> ProvinceSerializer(many=True):
        return [{"id": p.pk, "name": p.name} for p in region.provinces.all()]
