import re

from django import forms

from pmis.forms import NamedRequiredMixin
from pmis.org.models import User
from pmis.search.widgets import PickerWidget

from .models import RACI_CHOICES, PlanItem, Rating, Risk

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _people():
    return User.objects.filter(is_active=True, groups__name__in=["regional_pm", "implementer"]).distinct()


class OwnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj}（{obj.username}）"


class PlanItemForm(NamedRequiredMixin, forms.Form):
    seq = forms.IntegerField(label="编号", min_value=1, required=False, help_text="留空则排在最后")
    group = forms.CharField(label="分组", max_length=100, required=False)
    name = forms.CharField(label="工作任务", max_length=200)
    kind = forms.ChoiceField(label="类型", choices=PlanItem.Kind.choices, initial=PlanItem.Kind.TASK)
    planned_start = forms.DateField(label="计划开始", widget=DATE)
    planned_end = forms.DateField(label="计划结束", widget=DATE)
    predecessors = forms.CharField(label="前置任务", max_length=200, required=False, help_text="填写编号，如 1,3")
    status = forms.ChoiceField(label="状态", choices=PlanItem.Status.choices, initial=PlanItem.Status.PLANNED)
    owner = OwnerChoice(label="我方负责人", queryset=None, required=False, widget=PickerWidget("pm_or_implementer"))
    customer_owner = forms.CharField(label="客户负责人", max_length=64, required=False)
    supplier_owner = forms.CharField(label="供应商负责人", max_length=64, required=False)
    actual_start = forms.DateField(label="实际开始", required=False, widget=DATE)
    actual_end = forms.DateField(label="实际完成", required=False, widget=DATE)

    def __init__(self, *args, project=None, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project, self.item = project, item
        self.fields["owner"].queryset = _people()
        if item is not None or self.initial.get("seq"):
            self.fields["seq"].disabled = True  # an item keeps its 编号: other rows name it as predecessor
            self.fields["seq"].help_text = ""

    def clean_predecessors(self):
        text = self.cleaned_data.get("predecessors", "")
        parts = [p for p in re.split(r"[,，、\s]+", text) if p]
        if any(not p.isdigit() for p in parts):
            raise forms.ValidationError("前置任务须填写编号，如 1,3")
        seqs = [int(p) for p in parts]
        items = {i.seq: i for i in PlanItem.objects.filter(project=self.project, seq__in=seqs)}
        missing = [str(s) for s in seqs if s not in items]
        if missing:
            raise forms.ValidationError(f"前置任务编号 {'、'.join(missing)} 不存在")
        return [items[s] for s in seqs]

    @staticmethod
    def initial_for(item: PlanItem) -> dict:
        return {
            "seq": item.seq,
            "group": item.group,
            "name": item.name,
            "kind": item.kind,
            "planned_start": item.planned_start,
            "planned_end": item.planned_end,
            "predecessors": ",".join(str(p.seq) for p in item.predecessors.all()),
            "status": item.status,
            "owner": item.owner_id,
            "customer_owner": item.customer_owner,
            "supplier_owner": item.supplier_owner,
            "actual_start": item.actual_start,
            "actual_end": item.actual_end,
        }


class BaselineForm(forms.Form):
    reason = forms.CharField(label="重新设定基线的原因", max_length=500, required=False)


class PlanImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件", error_messages={"required": "请选择要导入的 Excel 文件"})


class RiskForm(NamedRequiredMixin, forms.Form):
    source = forms.ChoiceField(label="风险来源", choices=[("", "请选择"), *Risk.Source.choices])
    description = forms.CharField(label="风险描述", widget=forms.Textarea(attrs={"rows": 2}))
    probability = forms.TypedChoiceField(label="可能性", choices=Rating.choices, coerce=int, initial=2)
    impact = forms.TypedChoiceField(label="影响", choices=Rating.choices, coerce=int, initial=2)
    strategy = forms.ChoiceField(label="应对策略", choices=[("", "请选择"), *Risk.Strategy.choices])
    measures = forms.CharField(label="应对措施", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner = OwnerChoice(label="责任人", queryset=None, widget=PickerWidget("pm_or_implementer"))
    due_date = forms.DateField(label="计划解决日期", required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _people()


class RiskEditForm(RiskForm):
    status = forms.ChoiceField(label="状态", choices=Risk.Status.choices)

    @staticmethod
    def initial_for(risk: Risk) -> dict:
        return {
            f: getattr(risk, f)
            for f in ("source", "description", "probability", "impact", "strategy", "measures", "due_date", "status")
        } | {"owner": risk.owner_id}


class FollowUpForm(forms.Form):
    note = forms.CharField(
        label="跟进情况", widget=forms.Textarea(attrs={"rows": 2}), error_messages={"required": "请填写跟进情况"}
    )


class RaciRowForm(forms.Form):
    customer = forms.ChoiceField(label="客户", choices=RACI_CHOICES, required=False)
    ours = forms.ChoiceField(label="我方项目组", choices=RACI_CHOICES, required=False)
    third = forms.ChoiceField(label="第三方", choices=RACI_CHOICES, required=False)
    ours_person = OwnerChoice(
        label="我方责任人", queryset=None, required=False, widget=PickerWidget("pm_or_implementer")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ours_person"].queryset = _people()


class MonthlyReportForm(NamedRequiredMixin, forms.Form):
    month = forms.DateField(label="月份（任一日）", widget=DATE)
    progress = forms.CharField(label="本月进展", widget=forms.Textarea(attrs={"rows": 5}))
    milestones = forms.CharField(label="里程碑情况", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    risks = forms.CharField(label="风险情况", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_month = forms.CharField(label="下月计划", widget=forms.Textarea(attrs={"rows": 4}))
