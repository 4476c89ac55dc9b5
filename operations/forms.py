from django import forms

from pmis.forms import NamedRequiredMixin
from pmis.org.models import Province, User
from pmis.search.widgets import PickerWidget
from registrations.models import Registration

from .models import Incident, InspectionPlan

ENGINEER_ROLES = ("aftersales", "cs_staff", "regional_pm", "implementer", "emergency_team", "aftersales_manager")


def engineers():
    return User.objects.filter(groups__name__in=ENGINEER_ROLES, is_active=True).distinct().order_by("username")


class PersonChoice(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("empty_label", "请选择")
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.display_name or obj.username}（{obj.username}）"


def _datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class IncidentForm(NamedRequiredMixin, forms.ModelForm):
    class Meta:
        model = Incident
        fields = ["title", "reporter", "channel", "reported_at", "outage_started_at", "level", "symptoms"]
        widgets = {
            "reported_at": _datetime_input(),
            "outage_started_at": _datetime_input(),
            "symptoms": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "level": "一级：整个或大部分功能无法运行、必须停止业务、大批量数据问题、影响恶劣或范围广、"
            "停服超过 60 分钟；二级：部分功能或部分人群不能使用、停服 20–60 分钟；"
            "三级：小部分用户或个别功能，如并发导致服务慢、临时紧急重启（004 §8.1.3）",
            "outage_started_at": "不填则按报告时间计；停服超过 20 / 60 分钟时系统建议升级级别",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].initial = Incident.Level.THIRD
        self.fields["level"].choices = Incident.Level.choices
        self.fields["channel"].choices = [("", "请选择"), *Incident.Channel.choices]
        self.fields["reported_at"].required = False
        self.fields["outage_started_at"].required = False


class LevelForm(NamedRequiredMixin, forms.Form):
    level = forms.ChoiceField(label="事件级别", choices=Incident.Level.choices)
    reason = forms.CharField(label="定级说明", required=False, max_length=300)


class RecoverForm(NamedRequiredMixin, forms.Form):
    note = forms.CharField(label="恢复说明", widget=forms.Textarea(attrs={"rows": 2}))


class ReportForm(NamedRequiredMixin, forms.Form):
    cause = forms.CharField(label="问题原因", widget=forms.Textarea(attrs={"rows": 3}))
    fix = forms.CharField(label="解决方法", widget=forms.Textarea(attrs={"rows": 3}))
    process = forms.CharField(label="解决经过", widget=forms.Textarea(attrs={"rows": 3}))
    prevention = forms.CharField(label="预防措施", widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="审阅结论", choices=[("approve", "通过并归档"), ("return", "退回修改")])
    comment = forms.CharField(label="审阅意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class OnsiteForm(NamedRequiredMixin, forms.Form):
    province = forms.ModelChoiceField(label="客户所在省份", queryset=Province.objects.all(), empty_label="请选择")
    address = forms.CharField(label="现场地址", max_length=200)
    reason = forms.CharField(
        label="现场服务原因",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="电话或远程不能排除的故障，经技术支援部确认后派出（004 §8.1.2）",
    )
    engineer = PersonChoice(label="工程师", queryset=None, widget=PickerWidget("operations_engineer"))

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engineer"].queryset = engineers()
        if project is not None and project.registration_id and not self.is_bound:
            # the registration's province, read alone: the registration is a wide row
            self.fields["province"].initial = (
                Registration.objects.filter(pk=project.registration_id).values_list("province_id", flat=True).first()
            )


class DepartForm(NamedRequiredMixin, forms.Form):
    note = forms.CharField(label="现场工作记录", widget=forms.Textarea(attrs={"rows": 3}))


class RepairForm(NamedRequiredMixin, forms.Form):
    product = forms.CharField(label="返修产品", max_length=200)
    fault = forms.CharField(label="用户反映的故障现象", widget=forms.Textarea(attrs={"rows": 2}))
    engineer = PersonChoice(label="维修人员", queryset=None, widget=PickerWidget("operations_engineer"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engineer"].queryset = engineers()


class RepairInspectForm(NamedRequiredMixin, forms.Form):
    findings = forms.CharField(label="检查情况（损坏情况）", widget=forms.Textarea(attrs={"rows": 3}))
    cost_estimate = forms.CharField(label="费用（成本费与运费）", max_length=100, required=False)


class RepairConfirmForm(NamedRequiredMixin, forms.Form):
    decision = forms.ChoiceField(label="客户意见", choices=[("accept", "确认维修"), ("decline", "不维修")])
    contact = forms.CharField(label="客户确认人", max_length=100)


class InspectionPlanForm(NamedRequiredMixin, forms.ModelForm):
    inspector = PersonChoice(label="巡检人", queryset=None, widget=PickerWidget("operations_engineer"))

    class Meta:
        model = InspectionPlan
        fields = ["day_of_month", "inspector", "checklist", "agreed_with"]
        widgets = {
            "checklist": forms.Textarea(attrs={"rows": 4}),
            "day_of_month": forms.NumberInput(attrs={"min": 1, "max": 28}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspector"].queryset = engineers()
        if not self.is_bound and self.instance.pk is None:
            self.fields[
                "checklist"
            ].initial = "服务器资源（CPU、内存、磁盘）\n应用服务运行状态\n数据库备份\n证书与授权有效期\n系统日志异常"


class DutyRosterForm(NamedRequiredMixin, forms.Form):
    holiday = forms.ChoiceField(label="假期", choices=[("国庆节", "国庆节"), ("春节", "春节")])
    year = forms.IntegerField(label="年份", min_value=2000, max_value=2100)


class DutyShiftForm(NamedRequiredMixin, forms.Form):
    day = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    user = PersonChoice(label="值班人", queryset=None, widget=PickerWidget("operations_engineer"))
    phone = forms.CharField(label="值班电话", max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = engineers()


class ComplaintForm(NamedRequiredMixin, forms.Form):
    note = forms.CharField(label="投诉内容", widget=forms.Textarea(attrs={"rows": 2}))
