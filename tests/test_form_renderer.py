"""The form renderer writes the common widgets in Python: the markup must be what Django's widget
templates write, for every kind of value a form of ours puts in them."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from pmis.form_renderer import FormRenderer


class Everything(forms.Form):
    name = forms.CharField(
        label="名称", max_length=20, help_text="用途", widget=forms.TextInput(attrs={"data-x": '"<&>'})
    )
    count = forms.IntegerField(min_value=0, required=False)
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), required=False)
    flag = forms.BooleanField(required=False)
    kind = forms.ChoiceField(
        choices=[("", "全部"), ("a<b", "甲 & 乙"), ("分组", [("1", 1), ("2", gettext_lazy("二"))])],
        widget=forms.Select(attrs={"disabled": False, "autofocus": True, "data-safe": mark_safe("<b>")}),
    )
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "<Y>")], required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    mail = forms.EmailField(required=False)
    radio = forms.ChoiceField(choices=[("r", "R")], widget=forms.RadioSelect, required=False)


BOUND = {
    "name": 'a "quoted" <name> that is far too long',
    "count": "7",
    "when": "2026-01-02",
    "at": "2026-01-02T08:30",
    "flag": "on",
    "kind": "2",
    "many": ["x", "y"],
    "note": "第一行\n<script>",
    "secret": "s&t",
    "mail": "a@b.c",
    "radio": "r",
}
INITIAL = {"when": datetime.date(2026, 3, 4), "at": datetime.datetime(2026, 3, 4, 5, 6), "count": 1000, "note": ""}


@pytest.mark.parametrize(
    "make", [lambda r: Everything(BOUND, renderer=r), lambda r: Everything(initial=INITIAL, renderer=r)]
)
def test_every_widget_renders_as_the_templates_do(make):
    fast, templates = make(FormRenderer()), make(DjangoTemplates())
    for name in fast.fields:
        assert str(fast[name]) == str(templates[name]), name
    assert "<select" in str(fast["kind"]) and "<optgroup" in str(fast["kind"]) and "selected" in str(fast["kind"])
    assert str(fast) == str(templates)
    assert fast.errors.as_ul() == templates.errors.as_ul()
    for name in fast.fields:
        assert str(fast[name].errors) == str(templates[name].errors), name


def test_a_select_whose_options_have_their_own_template_is_left_to_the_templates():
    class OwnOptions(forms.Select):
        option_template_name = "django/forms/widgets/radio_option.html"

    field = forms.ChoiceField(choices=[("a", "A")], widget=OwnOptions)
    fast = field.widget.render("f", "a", renderer=FormRenderer())
    assert fast == field.widget.render("f", "a", renderer=DjangoTemplates())
    assert "<label><input" in fast  # the option template's markup


def test_the_common_widgets_need_no_template(monkeypatch):
    asked = []
    monkeypatch.setattr(FormRenderer, "get_template", lambda self, name: asked.append(name))
    form = Everything(BOUND, renderer=FormRenderer())
    for name in ("name", "count", "when", "at", "flag", "kind", "many", "note", "secret", "mail"):
        str(form[name])
    assert asked == []
