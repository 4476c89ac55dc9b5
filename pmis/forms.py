"""What every form shares: Chinese messages that name the field (and, in a formset, the row), the
bounds amounts, counts and dates are held to (settings an admin can change), and the summary a
refused form shows above itself."""

from datetime import date, datetime, timedelta

from django import forms
from django.conf import settings
from django.forms.models import ModelChoiceIterator
from django.utils import timezone

CHOICE_FIELDS = (forms.ChoiceField, forms.ModelChoiceField, forms.BooleanField)
EMPTY_LABEL = "请选择"  # a list's empty choice; a filter's says 全部… instead


def use_chinese_empty_label() -> None:
    """Every choice list starts with “请选择”, never Django's “---------”: the blank choice of a
    model field with choices (the one list Django shares, changed in place so every copy of it
    follows) and the default empty label of a choice of records. Runs at start-up, before any
    form class is built; a form that wants another label (全部区域…) still says so itself."""
    from django.db.models import fields

    fields.BLANK_CHOICE_DASH[:] = [("", EMPTY_LABEL)]
    forms.ModelChoiceField.__init__.__kwdefaults__["empty_label"] = EMPTY_LABEL


def name_required(form: forms.BaseForm) -> None:
    """“请填写厂商” / “请选择系统类型” instead of Django's “这个字段是必填项。”."""
    for field in form.fields.values():
        verb = "请选择" if isinstance(field, CHOICE_FIELDS) else "请填写"
        field.error_messages["required"] = f"{verb}{field.label}"


class NamedRequiredMixin:
    """A form whose “required” messages name the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_required(self)


def _named(label: str, message: str) -> str:
    return message if label and label in message else f"{label}：{message}" if label else message


def form_error_lines(form: forms.BaseForm, *, prefix: str = "") -> list[str]:
    """Each error of a form as a line that names its field, e.g. “合同金额：合同金额不能为负数”."""
    lines = []
    for name, errors in form.errors.items():
        label = str(form.fields[name].label) if name in form.fields else ""
        for error in errors:
            text = _named(label, str(error))
            lines.append(f"{prefix}：{text}" if prefix else text)
    return lines


def formset_error_lines(formset, *, title: str, describe=None) -> list[str]:
    """Each error of a formset as a line naming its row and field, e.g.
    “对接业务系统第 2 行（ERP / K3 Cloud）：请填写厂商”. Rows marked for deletion are skipped."""
    lines = []
    for number, form in enumerate(formset.forms, start=1):
        if not form.errors:
            continue
        if formset.can_delete and form.cleaned_data.get("DELETE"):
            continue
        row = f"{title}第 {number} 行"
        what = describe(form) if describe else ""
        if what:
            row += f"（{what}）"
        lines += form_error_lines(form, prefix=row)
    lines += [f"{title}：{error}" for error in formset.non_form_errors()]
    return lines


def filter_errors(form: forms.BaseForm) -> str:
    """One line for a list's refused filters."""
    return "；".join(form_error_lines(form))


def typed(form: forms.BaseForm, name: str) -> str:
    """What was typed in a field, as text (for a row description)."""
    value = form[name].value()
    field = form.fields[name]
    if value in (None, ""):
        return ""
    if isinstance(field, forms.ModelChoiceField):
        obj = field.queryset.filter(pk=value).first() if str(value).isdigit() else None
        return str(obj) if obj else ""
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))
    return str(value).strip()


# ---------------------------------------------------------------------------------------------
# bounds


def _today() -> date:
    return timezone.localdate()


def check_amount(value, label: str) -> None:
    if value is not None and value < 0:
        raise forms.ValidationError(f"{label}不能为负数")


def check_count(value, label: str, *, minimum: int = 0) -> None:
    if value is None:
        return
    if value < minimum:
        raise forms.ValidationError(f"{label}不能小于 {minimum}")
    if value > settings.PMIS_COUNT_MAX:
        raise forms.ValidationError(f"{label}不能超过 {settings.PMIS_COUNT_MAX}")


def check_planned_date(value: date | None, label: str) -> None:
    """A planned date (go-live, due date): not in the past, not absurdly far ahead."""
    if value is None:
        return
    earliest = _today() - timedelta(days=settings.PMIS_PLANNED_DATE_GRACE_DAYS)
    latest = _today() + timedelta(days=settings.PMIS_FUTURE_DATE_MAX_DAYS)
    if value < earliest:
        raise forms.ValidationError(f"{label}不能早于 {earliest:%Y-%m-%d}（计划日期不能在过去）")
    if value > latest:
        raise forms.ValidationError(f"{label}不能晚于 {latest:%Y-%m-%d}")


def check_past_date(value: date | datetime | None, label: str) -> None:
    """The date of something that has happened (a meeting held, a problem reported): not in the
    future, not further back than the policy allows."""
    if value is None:
        return
    if isinstance(value, datetime):
        now = timezone.now()
        if value > now + timedelta(minutes=1):
            raise forms.ValidationError(f"{label}不能晚于现在")
        value = timezone.localtime(value).date()
    elif value > _today():
        raise forms.ValidationError(f"{label}不能晚于今天")
    earliest = _today() - timedelta(days=settings.PMIS_PAST_DATE_MAX_DAYS)
    if value < earliest:
        raise forms.ValidationError(f"{label}不能早于 {earliest:%Y-%m-%d}")


class BoundsMixin:
    """Declare which fields are amounts, counts, planned dates or past dates; clean() checks each
    against its bound and puts the Chinese message on the field."""

    amount_fields: tuple[str, ...] = ()
    count_fields: dict[str, int] = {}  # field -> minimum
    planned_date_fields: tuple[str, ...] = ()
    past_date_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # a model's own lower bound (PositiveIntegerField) speaks the same words as ours
        for name, minimum in self.count_fields.items():
            if name in self.fields:
                self.fields[name].error_messages["min_value"] = f"{self.fields[name].label}不能小于 {minimum}"
        for name in self.amount_fields:
            if name in self.fields:
                self.fields[name].error_messages["min_value"] = f"{self.fields[name].label}不能为负数"

    def clean(self):
        data = super().clean()
        checks = [
            *((name, check_amount, {}) for name in self.amount_fields),
            *((name, check_count, {"minimum": minimum}) for name, minimum in self.count_fields.items()),
            *((name, check_planned_date, {}) for name in self.planned_date_fields),
            *((name, check_past_date, {}) for name in self.past_date_fields),
        ]
        for name, check, options in checks:
            if name in self.fields and data.get(name) is not None:
                try:
                    check(data[name], str(self.fields[name].label), **options)
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        return data


class _KeptChoices(ModelChoiceIterator):
    """The options of a KeptChoiceField, from its kept rows: no query to draw the drop-down."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in self.field.kept():
            yield self.choice(row)

    def __len__(self):
        return len(self.field.kept()) + (1 if self.field.empty_label is not None else 0)


class KeptChoiceField(forms.ModelChoiceField):
    """A choice of a reference row (a region, a department) whose options are the rows kept in the
    cache (pmis.reference) rather than read on every page; the one chosen is still checked
    against the table when the form is read."""

    iterator = _KeptChoices

    def __init__(self, *args, kept, **kwargs):
        self.kept = kept  # returns the rows to offer, in order
        super().__init__(*args, **kwargs)


def region_filter_field(**kwargs) -> forms.ModelChoiceField:
    """The 区域 filter of a list or a report: optional, 全部区域 when blank, and an unknown region
    refused by name rather than ignored."""
    from pmis import reference
    from pmis.org.models import Region

    options = {
        "kept": reference.regions,
        "label": "区域",
        "queryset": Region.objects.all(),
        "required": False,
        "empty_label": "全部区域",
        "error_messages": {"invalid_choice": "没有这个区域"},
        **kwargs,
    }
    return KeptChoiceField(**options)
