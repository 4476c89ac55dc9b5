from django import forms

from pmis import reference
from pmis.forms import KeptChoiceField, region_filter_field

from .models import Department
from .roles import ROLES


class DirectoryFilterForm(forms.Form):
    """The 通讯录's filters (the keyword box is the list pattern's own)."""

    department = KeptChoiceField(
        kept=reference.departments,
        label="部门",
        queryset=Department.objects.all(),
        required=False,
        empty_label="全部部门",
        error_messages={"invalid_choice": "没有这个部门"},
    )
    region = region_filter_field()
    role = forms.ChoiceField(
        label="角色",
        required=False,
        choices=[("", "全部角色")] + [(r.code, r.label) for r in ROLES],
        error_messages={"invalid_choice": "没有“%(value)s”这个角色"},
    )
