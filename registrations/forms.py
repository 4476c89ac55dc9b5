from django import forms
from django.forms import inlineformset_factory

from pmis.catalog.models import Product, ProjectClass
from pmis.forms import BoundsMixin, form_error_lines, formset_error_lines, name_required, typed
from pmis.org.models import User
from pmis.search.widgets import PickerWidget
from projects.models import Project

from .models import SCENARIOS, IntegratedSystem, Kind, Registration, Stakeholder
from .services import BUSINESS_CHECKLIST

_COMMON = [
    "customer_name",
    "customer_short_name",
    "region",
    "province",
    "presales",
    "user_scale",
    "signing_volume",
    "seal_count",
    "enterprise_nature",
    "main_business",
    "scenarios",
    "scenario_other",
    "customisation_needs",
    "outsourcing_needs",
    "go_live_date",
    "other_notes",
]
_CATALOGUE = ["products", "service_notes", "certificate_form", "certificate_vendor", "channel_order"]
_CONTRACT = ["contract_signed", "first_payment_received", "contract_number", "contract_amount"]

FIELDS_BY_KIND = {
    Kind.LOCAL: ["product_line", *_COMMON, *_CATALOGUE, "seal_handling", *_CONTRACT],
    Kind.SAAS: [*_COMMON, *_CATALOGUE, *_CONTRACT],
    Kind.UPGRADE: [*_COMMON, "new_contract", "contract_signed", "contract_number", "contract_amount"],
}

# Sections of the form page, in order; a field not used by a kind is skipped.
SECTIONS = (
    ("基本信息", ["customer_name", "customer_short_name", "product_line", "parent_project_code",
              "region", "province", "presales"]),
    ("项目背景：客户基本情况", ["user_scale", "signing_volume", "seal_count", "enterprise_nature", "main_business"]),
    ("采购产品与服务", ["products", "service_notes"]),
    ("证书与印章", ["certificate_form", "certificate_vendor", "channel_order", "seal_handling"]),
    ("应用场景", ["scenarios", "scenario_other"]),
    ("定制化 / 外采需求", ["customisation_needs", "outsourcing_needs"]),
    ("合同状态", ["new_contract", "contract_signed", "first_payment_received", "contract_number", "contract_amount"]),
    ("其他", ["go_live_date", "other_notes"]),
)  # fmt: skip


class ProvinceSelect(forms.Select):
    """The province list; each option names its region, so static/js/region-province.js can offer
    only the provinces of the chosen region."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        province = getattr(value, "instance", None)
        if province is not None:
            option["attrs"]["data-region"] = str(province.region_id)
        return option


class RegistrationForm(BoundsMixin, forms.ModelForm):
    amount_fields = ("contract_amount",)
    count_fields = {"seal_count": 0}
    planned_date_fields = ("go_live_date",)

    scenarios = forms.MultipleChoiceField(
        label="应用场景", choices=SCENARIOS, required=False, widget=forms.CheckboxSelectMultiple
    )
    parent_project_code = forms.CharField(
        label="原项目",
        required=False,
        max_length=32,
        help_text="在已有项目上登记升级扩展：输入项目编号、名称或客户，从列表中选择",
        widget=PickerWidget("project"),
    )

    class Meta:
        model = Registration
        fields = sorted({f for fields in FIELDS_BY_KIND.values() for f in fields})
        widgets = {
            "products": forms.CheckboxSelectMultiple,
            "go_live_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "service_notes": forms.Textarea(attrs={"rows": 2}),
            "customisation_needs": forms.Textarea(attrs={"rows": 2}),
            "outsourcing_needs": forms.Textarea(attrs={"rows": 2}),
            "other_notes": forms.Textarea(attrs={"rows": 3}),
            "main_business": forms.TextInput,
            "province": ProvinceSelect(attrs={"data-follows": "region"}),
            "presales": PickerWidget("presales"),
        }

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = set(FIELDS_BY_KIND[kind])
        if kind == Kind.UPGRADE:
            keep.add("parent_project_code")
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "products" in self.fields:
            classes = [ProjectClass.BOTH, ProjectClass.LOCAL if kind == Kind.LOCAL else ProjectClass.SAAS]
            self.fields["products"].queryset = Product.objects.filter(is_active=True, project_class__in=classes)
        self.fields["presales"].queryset = User.objects.filter(groups__name="presales", is_active=True).order_by(
            "username"
        )
        if kind == Kind.UPGRADE and self.instance.parent_project_id and not self.is_bound:
            self.initial["parent_project_code"] = self.instance.parent_project.code
        if not self.is_bound:
            self.initial.setdefault("scenarios", self.instance.scenarios)

    def clean(self):
        data = super().clean()
        region, province = data.get("region"), data.get("province")
        if region and province and province.region_id != region.pk:
            self.add_error("province", f"省份“{province}”不属于所选区域“{region}”，请重新选择")
        return data

    def clean_parent_project_code(self):
        code = self.cleaned_data.get("parent_project_code", "").strip()
        if not code:
            self.instance.parent_project = None
            return ""
        project = Project.objects.filter(code=code).first()
        if project is None:
            raise forms.ValidationError(f"未找到项目编号“{code}”")
        self.instance.parent_project = project
        return code

    def sections(self):
        for title, names in SECTIONS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                yield title, fields


class StakeholderForm(forms.ModelForm):
    class Meta:
        model = Stakeholder
        fields = ("name", "phone", "role")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_required(self)


class IntegratedSystemForm(forms.ModelForm):
    class Meta:
        model = IntegratedSystem
        fields = ("system_type", "name", "vendor")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_required(self)


StakeholderFormSet = inlineformset_factory(Registration, Stakeholder, form=StakeholderForm, extra=1, can_delete=True)
SystemFormSet = inlineformset_factory(
    Registration, IntegratedSystem, form=IntegratedSystemForm, extra=1, can_delete=True
)


def registration_error_lines(form, stakeholders, systems) -> list[str]:
    """Every error of the registration page, each naming its field and, in a table, its row:
    “对接业务系统第 2 行（ERP / K3 Cloud）：请填写厂商”."""
    return [
        *form_error_lines(form),
        *formset_error_lines(stakeholders, title="对接干系人", describe=lambda f: typed(f, "name") or typed(f, "role")),
        *formset_error_lines(
            systems,
            title="对接业务系统",
            describe=lambda f: " / ".join(x for x in (typed(f, "system_type"), typed(f, "name")) if x),
        ),
    ]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="审批结果",
        choices=[("approve", "通过"), ("return", "退回（修改后重新提交）"), ("reject", "驳回（终止）")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择审批结果"},
    )
    comment = forms.CharField(label="审批意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, business: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.business = business
        if business:
            for key, label in BUSINESS_CHECKLIST:
                self.fields[f"check_{key}"] = forms.BooleanField(label=label, required=False)
            self.fields["check_outsourcing_needed"] = forms.BooleanField(
                label="需求中包含需外采的产品（将生成外采任务）", required=False
            )

    def review(self) -> dict:
        if not self.business:
            return {}
        keys = [key for key, _ in BUSINESS_CHECKLIST] + ["outsourcing_needed"]
        return {key: bool(self.cleaned_data.get(f"check_{key}")) for key in keys}


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回原因", required=False, max_length=500)
