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


class DelegationForm(forms.Form):
    """代理审批: whose steps, who stands in, from when to when, which kinds."""

    delegator = forms.ModelChoiceField(
        label="委托人", queryset=None, widget=PickerWidget("person"), error_messages={"required": "请选择委托人"}
    )
    delegate = forms.ModelChoiceField(
        label="代理人", queryset=None, widget=PickerWidget("person"), error_messages={"required": "请选择代理人"}
    )
    starts_on = forms.DateField(
        label="开始日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写开始日期", "invalid": "日期格式应为 年-月-日"},
    )
    ends_on = forms.DateField(
        label="结束日期",
        help_text="含当天，次日零点自动结束",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写结束日期", "invalid": "日期格式应为 年-月-日"},
    )
    step_kinds = forms.MultipleChoiceField(
        label="限定环节类型",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选表示全部类型的待办",
    )
    reason = forms.CharField(label="原因", max_length=200, required=False, help_text="如：出差、休假")

    def __init__(self, *args, **kwargs):
        from pmis.org.models import User

        from .models import STEP_KINDS

        super().__init__(*args, **kwargs)
        people = User.objects.filter(is_active=True)
        self.fields["delegator"].queryset = people
        self.fields["delegate"].queryset = people
        self.fields["step_kinds"].choices = list(STEP_KINDS.items())

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", "结束日期不能早于开始日期")
        if data.get("delegator") and data.get("delegator") == data.get("delegate"):
            self.add_error("delegate", "代理人不能是委托人本人")
        return data


class CopyForm(forms.Form):
    """抄送: the people to copy on a record."""

    users = forms.ModelMultipleChoiceField(
        label="抄送给",
        queryset=None,
        widget=PickerWidget("person", multiple=True),
        error_messages={"required": "请选择抄送人"},
    )
    note = forms.CharField(label="附言", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        from pmis.org.models import User

        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = User.objects.filter(is_active=True)


class BulkApproveForm(forms.Form):
    comment = forms.CharField(label="审批意见", max_length=500, required=False, initial="同意")


class UrgeForm(forms.Form):
    note = forms.CharField(label="催办说明", max_length=200, required=False)


class ReturnForm(forms.Form):
    """退回 from a link in a notification: the reason is still required."""

    comment = forms.CharField(
        label="退回原因",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写退回原因"},
    )


class AddSignerForm(forms.Form):
    """加签."""

    signer = forms.ModelChoiceField(
        label="加签人", queryset=None, widget=PickerWidget("person"), error_messages={"required": "请选择加签人"}
    )
    position = forms.ChoiceField(label="加签方式", choices=(), error_messages={"required": "请选择加签方式"})
    reason = forms.CharField(
        label="加签原因",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写加签原因"},
    )

    def __init__(self, *args, **kwargs):
        from pmis.org.models import User

        from .addsign import POSITIONS

        super().__init__(*args, **kwargs)
        self.fields["signer"].queryset = User.objects.filter(is_active=True)
        self.fields["position"].choices = [("", "请选择"), *POSITIONS.items()]


class ReturnToForm(forms.Form):
    """退回到指定环节."""

    step = forms.ChoiceField(label="退回到", choices=(), error_messages={"required": "请选择要退回到的环节"})
    reason = forms.CharField(
        label="退回原因",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写退回原因"},
    )

    def __init__(self, *args, steps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [("", "请选择"), *((s.code, s.label) for s in steps)]
