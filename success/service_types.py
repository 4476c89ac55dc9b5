"""The kinds of customer-success service request (000 §3.6.1–3.6.2): each has its own fields (a
form that validates them), the group that works it and the deadline policy it runs under."""

from dataclasses import dataclass

from django import forms

from pmis.forms import NamedRequiredMixin, form_error_lines

from .models import ServiceRequest, Team

T = ServiceRequest.Type


class SealForm(NamedRequiredMixin, forms.Form):
    action = forms.ChoiceField(label="办理事项", choices=[("new", "新办"), ("change", "变更"), ("revoke", "注销")])
    seal_name = forms.CharField(label="印章名称", max_length=100)
    seal_kind = forms.ChoiceField(
        label="印章类型",
        choices=[("unit", "单位公章"), ("legal", "法定代表人章"), ("personal", "个人签名章"), ("other", "其他")],
    )
    quantity = forms.IntegerField(label="数量", min_value=1, max_value=1000)


class LicenceRenewalForm(NamedRequiredMixin, forms.Form):
    product = forms.CharField(label="续期产品", max_length=100)
    new_expires_on = forms.DateField(label="续期后到期日")


class ApiChannelForm(NamedRequiredMixin, forms.Form):
    system = forms.CharField(label="对接系统", max_length=100)
    environment = forms.ChoiceField(label="环境", choices=[("test", "测试环境"), ("production", "生产环境")])
    ip_whitelist = forms.CharField(label="IP 白名单", max_length=500)
    callback_url = forms.URLField(label="回调地址", required=False, assume_scheme="https")


class CertificateReportForm(NamedRequiredMixin, forms.Form):
    document_number = forms.CharField(label="签署文件编号", max_length=100)
    report_kind = forms.ChoiceField(label="报告类型", choices=[("evidence", "出证报告"), ("appraisal", "司法鉴定材料")])
    copies = forms.IntegerField(label="份数", min_value=1, max_value=100)


class UsageGuidanceForm(NamedRequiredMixin, forms.Form):
    topic = forms.CharField(label="指导内容", max_length=200)
    mode = forms.ChoiceField(label="指导方式", choices=[("phone", "电话"), ("remote", "远程"), ("onsite", "现场")])
    contact = forms.CharField(label="客户联系人", max_length=100)


class OtherServiceForm(NamedRequiredMixin, forms.Form):
    description = forms.CharField(label="服务内容", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))


@dataclass(frozen=True)
class ServiceType:
    code: str
    team: str
    policy: str
    form: type[forms.Form]

    @property
    def label(self) -> str:
        return T(self.code).label


SERVICE_TYPES: dict[str, ServiceType] = {
    T.SEAL: ServiceType(T.SEAL, Team.OPS, "service-seal", SealForm),
    T.LICENCE_RENEWAL: ServiceType(T.LICENCE_RENEWAL, Team.OPS, "service-licence-renewal", LicenceRenewalForm),
    T.API_CHANNEL: ServiceType(T.API_CHANNEL, Team.OPS, "service-api-channel", ApiChannelForm),
    T.CERTIFICATE_REPORT: ServiceType(
        T.CERTIFICATE_REPORT, Team.OPS, "service-certificate-report", CertificateReportForm
    ),
    T.USAGE_GUIDANCE: ServiceType(T.USAGE_GUIDANCE, Team.SUPPORT, "service-usage-guidance", UsageGuidanceForm),
    T.OTHER: ServiceType(T.OTHER, Team.OPS, "service-other", OtherServiceForm),
}


def clean_details(type_code: str, data) -> dict:
    """The type's fields, validated by its form, as JSON-ready values; a DomainError names each
    refused field."""
    from approvals.errors import DomainError

    spec = SERVICE_TYPES.get(type_code)
    if spec is None:
        raise DomainError("请选择服务类型")
    form = spec.form(data)
    if not form.is_valid():
        raise DomainError("；".join(form_error_lines(form)))
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in form.cleaned_data.items()}


def details_display(request: ServiceRequest) -> list[tuple[str, str]]:
    """The request's fields as (label, value) in the order of its form, choices by their label."""
    spec = SERVICE_TYPES.get(request.type)
    if spec is None:
        return []
    rows = []
    for name, field in spec.form.base_fields.items():
        value = request.details.get(name, "")
        if isinstance(field, forms.ChoiceField):
            value = dict(field.choices).get(value, value)
        rows.append((str(field.label), "" if value in (None, "") else str(value)))
    return rows
