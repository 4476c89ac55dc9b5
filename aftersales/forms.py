from django import forms
from django.utils import timezone

from approvals.errors import DomainError
from pmis import reference
from pmis.forms import KeptChoiceField, NamedRequiredMixin, region_filter_field
from pmis.org.models import User
from pmis.search.widgets import PickerWidget
from pmis.worktime.services import LEVEL_PREFIX, is_ticket_level, ticket_levels
from projects.models import Project

from .models import Handover, Ticket
from .services.sla import reported_at_check


class HandoverForm(NamedRequiredMixin, forms.Form):
    """Offers only the route the project's kind takes (see services.handover_route_for)."""

    route = forms.ChoiceField(label="移交去向", choices=Handover.Route.choices)
    note = forms.CharField(label="移交说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, route: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["route"].choices = [(route, Handover.Route(route).label)]
        self.fields["route"].initial = route
        if route == Handover.Route.CUSTOMER_SUCCESS:
            self.fields["route"].help_text = "SaaS 项目先由客户成功负责人审批，再由客户成功部审核材料"
        else:
            self.fields["route"].help_text = "本地化项目由系统服务部审核材料"


class TicketForm(NamedRequiredMixin, forms.ModelForm):
    """申报时间's bounds are the after-sales policy (services.sla.reported_at_check), not the generic date bounds."""

    project_code = forms.CharField(label="项目编号", max_length=32, widget=PickerWidget("project"))

    class Meta:
        model = Ticket
        fields = [
            "subject", "reporting_unit", "reporter", "reporter_phone", "reported_at", "channel",
            "situation", "description", "time_requirement",
        ]  # fmt: skip
        widgets = {
            "reported_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "situation": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_reported_at(self):
        reported_at = self.cleaned_data["reported_at"]
        try:
            reported_at_check(reported_at, now=timezone.now())
        except DomainError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return reported_at

    def clean_project_code(self):
        code = self.cleaned_data["project_code"].strip()
        project = Project.objects.filter(code=code).first()
        if project is None:
            raise forms.ValidationError(f"未找到项目编号“{code}”")
        self.project = project
        return code


def _kept_levels() -> list:
    """The ticket levels in ticket_levels' order, from the kept SLA policies."""
    levels = [policy for policy in reference.policies(LEVEL_PREFIX) if is_ticket_level(policy.code)]
    return sorted(levels, key=lambda policy: (policy.duration_minutes, policy.pk))


def severity_field(**kwargs) -> KeptChoiceField:
    """A ticket level: offered from the kept policies, the one chosen checked against the table."""
    return KeptChoiceField(kept=_kept_levels, queryset=ticket_levels(), **kwargs)


class TriageForm(NamedRequiredMixin, forms.Form):
    severity = severity_field(label="问题级别", empty_label="请选择")


class AssignForm(NamedRequiredMixin, forms.Form):
    to = forms.ModelChoiceField(label="处理人", queryset=None, empty_label="请选择")

    def __init__(self, *args, dispatch: bool = False, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        if dispatch:
            from pmis.org.selectors import users_in_role

            self.fields["to"].queryset = users_in_role("regional_pm", region=region)
            self.fields["to"].label = "区域项目经理"
            self.fields["to"].widget = PickerWidget("ticket_dispatch", context=str(region.pk) if region else "")
        else:
            self.fields["to"].queryset = User.objects.filter(
                groups__name__in=["aftersales", "cs_staff"], is_active=True
            ).distinct()
            self.fields["to"].widget = PickerWidget("ticket_assignee")


class TicketFilterForm(forms.Form):
    severity = severity_field(label="级别", required=False, empty_label="全部级别")
    region = region_filter_field()
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *Ticket.State.choices])
    q = forms.CharField(label="单号 / 主题 / 单位", required=False)


class MetricsForm(forms.Form):
    month = forms.DateField(
        label="月份",
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": "月份应写作“年-月”，如 2026-11"},
    )
    region = region_filter_field()
    group_by = forms.ChoiceField(
        label="分组",
        choices=[("region", "按区域"), ("assignee", "按处理人")],
        required=False,
        error_messages={"invalid_choice": "没有“%(value)s”这种分组"},
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (screenshots and logs of one reply); each is checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class TicketReplyForm(NamedRequiredMixin, forms.Form):
    """A reply or, for the internal side, an internal note, with optional attachments."""

    body = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 4}))
    internal = forms.BooleanField(
        label="内部备注", required=False, help_text="仅售后、客户成功与区域项目经理可见，不对其他人显示"
    )
    doc_type = forms.ModelChoiceField(label="附件类型", queryset=None, required=False, empty_label=None)
    files = MultipleFileField(
        label="附件", required=False, help_text="截图、日志等，可多选；与其他文档相同的类型与大小检查"
    )

    def __init__(self, *args, doc_types, may_note: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["doc_type"].queryset = doc_types
        self.fields["doc_type"].initial = next((t.pk for t in doc_types if t.code == "ticket-screenshot"), None)
        if not may_note:
            del self.fields["internal"]
