from django import forms

from pmis.catalog.models import Product
from pmis.forms import NamedRequiredMixin, check_amount
from pmis.org.models import User
from pmis.search.widgets import PickerWidget
from projects.models import Project

from .models import CloudOrder, ServiceRequest, Team
from .service_types import SERVICE_TYPES

DATE = {"type": "date"}


def _project_by_code(code: str):
    code = (code or "").strip()
    if not code:
        return None
    project = Project.objects.filter(code=code).first()
    if project is None:
        raise forms.ValidationError(f"未找到项目编号“{code}”")
    return project


class CloudOrderForm(NamedRequiredMixin, forms.Form):
    customer_name = forms.CharField(label="客户名称", max_length=200)
    project_code = forms.CharField(
        label="项目",
        max_length=32,
        required=False,
        widget=PickerWidget("order_project"),
        help_text="项目实施立项后的下单请选择项目；没有项目可留空",
    )
    saas = forms.BooleanField(label="SaaS 客户（由售后支持组确认需求与是否集成）", required=False)
    licence_starts_on = forms.DateField(label="授权起始日", widget=forms.DateInput(attrs=DATE))
    licence_ends_on = forms.DateField(label="授权截止日", widget=forms.DateInput(attrs=DATE))
    payment = forms.ChoiceField(label="收款情况", choices=[("", "请选择"), *CloudOrder.Payment.choices])
    amount = forms.DecimalField(label="金额（元）", required=False, max_digits=14, decimal_places=2)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_project_code(self):
        return _project_by_code(self.cleaned_data["project_code"])

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        check_amount(amount, "金额")
        return amount

    def clean(self):
        data = super().clean()
        start, end = data.get("licence_starts_on"), data.get("licence_ends_on")
        if start and end and end <= start:
            self.add_error("licence_ends_on", "授权截止日须晚于授权起始日")
        return data


class OrderItemForm(forms.Form):
    product = forms.ModelChoiceField(label="产品", queryset=Product.objects.filter(is_active=True), required=False)
    quantity = forms.IntegerField(label="数量", min_value=1, max_value=100000, required=False)

    def clean(self):
        data = super().clean()
        if data.get("product") and not data.get("quantity"):
            self.add_error("quantity", "请填写数量")
        if data.get("quantity") and not data.get("product"):
            self.add_error("product", "请选择产品")
        return data


OrderItemFormSet = forms.formset_factory(OrderItemForm, extra=3, max_num=20)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="审核结果", choices=[("approve", "通过并指派"), ("return", "退回")])
    licence_ok = forms.BooleanField(label="产品授权已核实", required=False)
    payment_ok = forms.BooleanField(label="收款情况已核实", required=False)
    team = forms.ChoiceField(label="指派开通部门", choices=[("", "请选择"), *Team.choices], required=False)
    comment = forms.CharField(label="审核意见 / 退回原因", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class OpenForm(NamedRequiredMixin, forms.Form):
    opened_note = forms.CharField(
        label="开通内容", widget=forms.Textarea(attrs={"rows": 3}), help_text="开通的账号、服务、数量与配置"
    )


class ConfirmForm(forms.Form):
    integration_needed = forms.ChoiceField(
        label="是否需要集成", choices=[("no", "无需集成，直接开通"), ("yes", "需要集成，发起实施集成申请")]
    )
    need = forms.CharField(label="集成需求", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReviseForm(forms.Form):
    action = forms.ChoiceField(label="处理", choices=[("resubmit", "修改后重新提交"), ("withdraw", "撤回申请")])
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ServiceRequestForm(NamedRequiredMixin, forms.Form):
    type = forms.ChoiceField(label="服务类型", choices=[("", "请选择"), *ServiceRequest.Type.choices])
    customer_name = forms.CharField(label="客户名称", max_length=200)
    project_code = forms.CharField(label="项目", max_length=32, required=False, widget=PickerWidget("order_project"))
    team = forms.ChoiceField(
        label="办理部门",
        choices=[("", "请选择（默认按服务类型）"), *Team.choices],
        required=False,
        help_text="授权文件续期与其他服务可指定办理部门",
    )

    def clean_project_code(self):
        return _project_by_code(self.cleaned_data["project_code"])


def type_forms(data=None) -> list[tuple[str, str, forms.Form]]:
    """Every type's own fields, prefixed by the type so that one page carries them all."""
    return [(code, spec.label, spec.form(data, prefix=code)) for code, spec in SERVICE_TYPES.items()]


class FinishForm(forms.Form):
    result = forms.CharField(label="办理结果", widget=forms.Textarea(attrs={"rows": 3}))
    new_expires_on = forms.DateField(label="续期后到期日", required=False, widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args, renewal: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result"].error_messages["required"] = "请填写办理结果"
        if not renewal:  # only a 授权文件续期 request moves a licence's expiry
            del self.fields["new_expires_on"]


class CancelForm(forms.Form):
    reason = forms.CharField(label="取消原因", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].error_messages["required"] = "取消必须填写原因"


class TermForm(forms.Form):
    starts_on = forms.DateField(label="起始日", widget=forms.DateInput(attrs=DATE))
    expires_on = forms.DateField(label="到期日", widget=forms.DateInput(attrs=DATE))


class IntegrationAcceptForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label="集成实施人员",
        queryset=User.objects.filter(groups__name="implementer", is_active=True),
        widget=PickerWidget("implementer"),
    )
    title = forms.CharField(label="任务名称", max_length=200, required=False)
    due_date = forms.DateField(label="计划完成日期", required=False, widget=forms.DateInput(attrs=DATE))
    comment = forms.CharField(label="受理意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DeclineForm(forms.Form):
    comment = forms.CharField(label="退回原因", widget=forms.Textarea(attrs={"rows": 2}))


class RequestFilterForm(forms.Form):
    type = forms.ChoiceField(label="服务类型", required=False, choices=[("", "全部类型"), *ServiceRequest.Type.choices])
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *ServiceRequest.State.choices])
    q = forms.CharField(label="单号 / 客户", required=False)


class OrderFilterForm(forms.Form):
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *CloudOrder.State.choices])
    team = forms.ChoiceField(label="开通部门", required=False, choices=[("", "全部部门"), *Team.choices])
    q = forms.CharField(label="单号 / 客户", required=False)


class LicenceFilterForm(forms.Form):
    within = forms.ChoiceField(
        label="到期",
        required=False,
        choices=[
            ("", "全部"),
            ("7", "7 天内到期"),
            ("30", "30 天内到期"),
            ("60", "60 天内到期"),
            ("expired", "已过期"),
        ],
    )
    q = forms.CharField(label="客户 / 产品", required=False)
