from django import forms

from pmis.search.widgets import PickerWidget


class ReassignForm(forms.Form):
    to_user = forms.ModelChoiceField(label="转交给", queryset=None, empty_label="请选择同事")
    reason = forms.CharField(
        label="转交原因",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写转交原因"},
    )

    def __init__(self, *args, candidates, current, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = candidates.exclude(pk=current.pk)
        if task is not None:
            self.fields["to_user"].widget = PickerWidget("reassign", context=str(task.pk))
