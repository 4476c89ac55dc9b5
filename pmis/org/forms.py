from django import forms

from .models import Department, Region
from .roles import ROLES


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label="姓名 / 账号", required=False)
    department = forms.ModelChoiceField(label="部门", queryset=Department.objects.all(), required=False)
    region = forms.ModelChoiceField(label="区域", queryset=Region.objects.all(), required=False)
    role = forms.ChoiceField(
        label="角色", required=False, choices=[("", "全部角色")] + [(r.code, r.label) for r in ROLES]
    )
