from django import forms
from django.conf import settings
from django.forms import formset_factory

from pmis.catalog.models import Product
from pmis.forms import BoundsMixin, NamedRequiredMixin, formset_error_lines, name_required, region_filter_field, typed
from pmis.org.models import User
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


class InitiationForm(NamedRequiredMixin, BoundsMixin, forms.Form):
    past_date_fields = ("meeting_date",)

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
    size = forms.ChoiceField(
        label="项目规模",
        choices=[("", "请选择"), *Project.Size.choices],
        help_text="大项目验收须《系统安装验收报告》与《技术档案表》，小项目须《安装验收报告》（002 项目验收）",
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
                "size",
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


class TeamForm(NamedRequiredMixin, forms.Form):
    pm = UserChoice(label="项目经理", queryset=None, widget=PickerWidget("pm_or_implementer"))
    implementers = UsersChoice(
        label="实施人员", queryset=None, required=False, widget=PickerWidget("implementer", multiple=True)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pm"].queryset = _users("regional_pm") | _users("implementer")
        self.fields["implementers"].queryset = _users("implementer")


class RequirementForm(NamedRequiredMixin, forms.ModelForm):
    class Meta:
        model = RequirementItem
        fields = ["title", "description", "classification"]
        widgets = {"description": forms.TextInput}


class RequirementUpdateForm(NamedRequiredMixin, forms.ModelForm):
    follow_up = forms.CharField(label="跟进记录", required=False)

    class Meta:
        model = RequirementItem
        fields = ["classification", "status"]


class EstimateForm(NamedRequiredMixin, forms.Form):
    person_days = forms.DecimalField(label="工作量（人天）", min_value=0.5, max_digits=7, decimal_places=1)
    rd_expert = forms.ModelChoiceField(
        label="研发评估人", queryset=None, required=False, widget=PickerWidget("rd_expert", placeholder="研发评估人")
    )
    note = forms.CharField(label="评估说明", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rd_expert"].queryset = _users("rd_expert")
        self.fields["person_days"].error_messages["min_value"] = "工作量至少为 0.5 人天"

    def clean_person_days(self):
        days = self.cleaned_data["person_days"]
        if days > settings.PMIS_PERSON_DAYS_MAX:
            raise forms.ValidationError(f"工作量不能超过 {settings.PMIS_PERSON_DAYS_MAX} 人天")
        return days


class DeliveryTaskForm(NamedRequiredMixin, BoundsMixin, forms.ModelForm):
    planned_date_fields = ("due_date",)

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


class WeeklyReportForm(NamedRequiredMixin, forms.Form):
    last_week = forms.CharField(label="上周工作", widget=forms.Textarea(attrs={"rows": 3}))
    this_week = forms.CharField(label="本周计划", widget=forms.Textarea(attrs={"rows": 3}))
    coordination = forms.CharField(label="需协调事项", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProductItemForm(BoundsMixin, forms.ModelForm):
    count_fields = {"licence_count": 1}

    class Meta:
        model = ProductRequestItem
        fields = ["product", "version", "licence_count", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_active=True)
        name_required(self)


class BaseProductItemFormSet(forms.BaseFormSet):
    default_error_messages = {"too_few_forms": "请至少填写一项产品"}

    def error_lines(self) -> list[str]:
        return formset_error_lines(
            self,
            title="产品清单",
            describe=lambda f: " ".join(x for x in (typed(f, "product"), typed(f, "version")) if x),
        )


ProductItemFormSet = formset_factory(
    ProductItemForm, formset=BaseProductItemFormSet, extra=2, min_num=1, validate_min=True
)


class ProjectFilterForm(forms.Form):
    """The project list's filters. A value that is not valid makes the form invalid, and the list
    refuses it (with the message) instead of showing every project."""

    q = forms.CharField(label="项目编号 / 名称 / 客户", required=False)
    region = region_filter_field()
    state = forms.ChoiceField(
        label="阶段",
        required=False,
        choices=[("", "全部阶段"), *State.choices],
        error_messages={"invalid_choice": "没有“%(value)s”这个阶段"},
    )
    kind = forms.ChoiceField(
        label="类别",
        required=False,
        choices=[("", "全部类别"), *Project.Kind.choices],
        error_messages={"invalid_choice": "没有“%(value)s”这个类别"},
    )
    pm = forms.CharField(
        label="项目经理",
        required=False,
        max_length=150,
        widget=PickerWidget("project_pm", placeholder="输入姓名或账号搜索"),
    )

    def __init__(self, *args, projects, scope: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # whoever is the PM of a project the user may see, not only regional PMs
        self.pm_candidates = User.objects.filter(pk__in=projects.filter(pm__isnull=False).values("pm_id"))
        self.fields["pm"].widget.context = scope  # 我的项目 offers only the PMs of one's own projects

    def clean_pm(self):
        text = self.cleaned_data["pm"].strip()
        if not text:
            # typed in the box without choosing from the list, and no exact account or name matched:
            # refuse what was typed rather than drop the filter
            text = self.data.get("pm__search", "").strip()
        if not text:
            return None
        if text.isdigit():
            matches = list(self.pm_candidates.filter(pk=int(text))[:2])
        else:
            matches = list(self.pm_candidates.filter(username=text)[:2]) or list(
                self.pm_candidates.filter(display_name=text)[:2]
            )
        if not matches:
            raise forms.ValidationError(f"“{text}”不是您可查看的项目的项目经理")
        if len(matches) > 1:
            raise forms.ValidationError(f"有多位项目经理叫“{text}”，请输入用户名")
        return matches[0]

    def error_text(self) -> str:
        return "；".join(f"{self[name].label}：{' '.join(errors)}" for name, errors in self.errors.items())


class NewsForm(NamedRequiredMixin, forms.Form):
    title = forms.CharField(label="标题", max_length=200)
    body = forms.CharField(label="内容", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    project_code = forms.CharField(label="项目编号（可选）", max_length=32, required=False)

    def clean_project_code(self):
        code = self.cleaned_data["project_code"].strip()
        self.project = Project.objects.filter(code=code).first() if code else None
        if code and self.project is None:
            raise forms.ValidationError(f"未找到项目编号“{code}”")
        return code
