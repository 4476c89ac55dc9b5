from django import forms
from django.forms import formset_factory

from pmis.catalog.models import Product
from pmis.org.models import Region, User
from pmis.search.widgets import PickerWidget

from .models import MEETING_TOPICS, DeliveryTask, ProductRequestItem, Project, RequirementItem, State


def _users(role: str):
    return User.objects.filter(groups__name=role, is_active=True).select_related("region").order_by("username")


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj}（{obj.region or '—'}）"


class UsersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj}（{obj.region or '—'}）"


class InitiationForm(forms.Form):
    name = forms.CharField(label="项目名称", max_length=200, help_text="规则：公司（单位）+ 产品类型 + 项目")
    overview = forms.CharField(label="概述", widget=forms.Textarea(attrs={"rows": 6}))
    svn_path = forms.CharField(label="SVN 路径", max_length=255, help_text="按区域模板生成，可修改")
    feasibility = forms.CharField(
        label="可行性评估", widget=forms.Textarea(attrs={"rows": 3}), help_text="产品匹配方案可行性的判断（000 §3.3.1）"
    )
    risk = forms.CharField(label="合同与实施风险评估", widget=forms.Textarea(attrs={"rows": 3}))
    pm = UserChoice(
        label="项目经理（区域项目经理）",
        queryset=None,
        help_text="按就近原则推荐本区域的区域项目经理",
        widget=PickerWidget("regional_pm"),
    )
    implementers = UsersChoice(
        label="实施人员", queryset=None, required=False, widget=PickerWidget("implementer", multiple=True)
    )
    meeting_date = forms.DateField(label="交接会议日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    participants = forms.CharField(label="参会人员", max_length=500, required=False, help_text="销售、售前、实施等")
    topics = forms.MultipleChoiceField(
        label="交接内容", choices=MEETING_TOPICS, required=False, widget=forms.CheckboxSelectMultiple
    )
    minutes = forms.CharField(label="会议纪要", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, new_project: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pm"].queryset = _users("regional_pm")
        self.fields["implementers"].queryset = _users("implementer")
        if not new_project:
            for name in (
                "name",
                "overview",
                "svn_path",
                "implementers",
                "meeting_date",
                "participants",
                "topics",
                "minutes",
            ):
                self.fields[name].required = False

    def meeting(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("meeting_date"):
            return None
        return {
            "held_on": data["meeting_date"],
            "participants": data.get("participants", ""),
            "topics": data.get("topics", []),
            "minutes": data.get("minutes", ""),
        }


class TeamForm(forms.Form):
    pm = UserChoice(label="项目经理", queryset=None, widget=PickerWidget("pm_or_implementer"))
    implementers = UsersChoice(
        label="实施人员", queryset=None, required=False, widget=PickerWidget("implementer", multiple=True)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pm"].queryset = _users("regional_pm") | _users("implementer")
        self.fields["implementers"].queryset = _users("implementer")


class RequirementForm(forms.ModelForm):
    class Meta:
        model = RequirementItem
        fields = ["title", "description", "classification"]
        widgets = {"description": forms.TextInput}


class RequirementUpdateForm(forms.ModelForm):
    follow_up = forms.CharField(label="跟进记录", required=False)

    class Meta:
        model = RequirementItem
        fields = ["classification", "status"]


class EstimateForm(forms.Form):
    person_days = forms.DecimalField(label="工作量（人天）", min_value=0.5, max_digits=7, decimal_places=1)
    rd_expert = forms.ModelChoiceField(label="研发评估人", queryset=None, required=False)
    note = forms.CharField(label="评估说明", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rd_expert"].queryset = _users("rd_expert")


class DeliveryTaskForm(forms.ModelForm):
    class Meta:
        model = DeliveryTask
        fields = ["type", "title", "assignee", "due_date", "description"]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.TextInput,
            "assignee": PickerWidget("implementer"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _users("implementer")


class WeeklyReportForm(forms.Form):
    last_week = forms.CharField(label="上周工作", widget=forms.Textarea(attrs={"rows": 3}))
    this_week = forms.CharField(label="本周计划", widget=forms.Textarea(attrs={"rows": 3}))
    coordination = forms.CharField(label="需协调事项", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProductItemForm(forms.ModelForm):
    class Meta:
        model = ProductRequestItem
        fields = ["product", "version", "licence_count", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_active=True)


ProductItemFormSet = formset_factory(ProductItemForm, extra=2, min_num=1, validate_min=True)


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label="项目编号 / 名称 / 客户", required=False)
    region = forms.ModelChoiceField(label="区域", queryset=Region.objects.all(), required=False, empty_label="全部区域")
    state = forms.ChoiceField(label="阶段", required=False, choices=[("", "全部阶段"), *State.choices])
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部类别"), *Project.Kind.choices])
    pm = UserChoice(label="项目经理", queryset=None, required=False, empty_label="全部")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pm"].queryset = _users("regional_pm")


class NewsForm(forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(label="内容", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    project_code = forms.CharField(label="项目编号（可选）", max_length=32, required=False)

    def clean_project_code(self):
        code = self.cleaned_data["project_code"].strip()
        self.project = Project.objects.filter(code=code).first() if code else None
        if code and self.project is None:
            raise forms.ValidationError(f"未找到项目编号“{code}”")
        return code
