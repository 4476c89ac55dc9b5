from django import forms

from pmis.forms import NamedRequiredMixin
from pmis.search.widgets import PickerWidget
from projects.models import Project

from .models import CloudDeployment

DATE = {"type": "date"}


class DeploymentForm(NamedRequiredMixin, forms.Form):
    project_code = forms.CharField(label="项目", max_length=32, widget=PickerWidget("deploy_project"))
    kind = forms.ChoiceField(label="申请类型", choices=[("", "请选择"), *CloudDeployment.Kind.choices])
    reason = forms.CharField(label="特殊原因与需求", widget=forms.Textarea(attrs={"rows": 3}))

    def clean_project_code(self):
        code = self.cleaned_data["project_code"].strip()
        project = Project.objects.filter(code=code).first()
        if project is None:
            raise forms.ValidationError(f"未找到项目编号“{code}”")
        return project


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="审批结果", choices=[("approve", "同意"), ("reject", "驳回")])
    comment = forms.CharField(label="意见 / 驳回原因", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ExecuteForm(NamedRequiredMixin, forms.Form):
    servers = forms.CharField(
        label="服务器", widget=forms.Textarea(attrs={"rows": 2}), help_text="主机名 / IP，每行一台"
    )
    versions = forms.CharField(label="部署版本", max_length=200)
    started_on = forms.DateField(label="开始日期", widget=forms.DateInput(attrs=DATE))
    finished_on = forms.DateField(label="完成日期", widget=forms.DateInput(attrs=DATE))
    note = forms.CharField(label="执行说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DeploymentFilterForm(forms.Form):
    state = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *CloudDeployment.State.choices])
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *CloudDeployment.Kind.choices])
    q = forms.CharField(label="单号 / 项目", required=False)
