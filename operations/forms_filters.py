from django import forms

from pmis.forms import region_filter_field

from .models import Incident


class IncidentFilterForm(forms.Form):
    level = forms.ChoiceField(label="级别", choices=[("", "全部级别"), *Incident.Level.choices], required=False)
    state = forms.ChoiceField(label="状态", choices=[("", "全部状态"), *Incident.State.choices], required=False)
    region = region_filter_field()
