"""The form renderer: Django's own widget templates, with the few that every form uses — an
input, a select and its options, a textarea, their attributes — written out in Python.

A filter bar's selects or a tab's add form render one template per option and one more per
attribute list; on list pages and workspace tabs that was a large part of the page's time. An
empty error list is nothing, as its template says. The output is the same markup, character for
character, as the templates in django/forms/ (`tests/test_form_renderer.py` compares them); every
other template, and a widget whose options use a template of their own, goes to the templates."""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.safestring import SafeData
from django.utils.timezone import template_localtime

from pmis.html import conditional_escape

WIDGETS = "django/forms/widgets/"
# the templates that are only {% include "django/forms/widgets/input.html" %}. The renderer strips
# what a template renders; an option's template, included by the select, keeps its final newline.
INPUT_TYPES = ("checkbox", "color", "date", "datetime", "email", "file", "hidden", "number", "password", "search")
INPUT_TYPES += ("tel", "text", "time", "url", "input")


def _text(value) -> str:
    """{{ value }}: as the template engine writes a variable (local time, localized, escaped)."""
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


def _format(value) -> str:
    """{{ value|stringformat:'s' }}: the filter keeps a safe value safe, and gives "" when it fails."""
    try:
        text = "%s" % value  # noqa: UP031 -- the filter's own formatting, tuples included
    except (ValueError, TypeError):
        return ""
    return text if isinstance(value, SafeData) else conditional_escape(text)


def _attrs(attrs: dict) -> str:
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_format(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    value = f' value="{_format(widget["value"])}"' if widget["value"] is not None else ""
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _textarea(widget: dict) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _option(option: dict) -> str:
    return f'<option value="{_format(option["value"])}"{_attrs(option["attrs"])}>{_text(option["label"])}</option>'


# a form's and each field's error list, which is empty on almost every form shown: "{% if errors %}…"
ERROR_LISTS = frozenset(
    f"django/forms/errors/{kind}/{name}.html" for kind in ("list", "dict") for name in ("default", "ul")
)


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in ERROR_LISTS and not context.get("errors"):
            return ""
        if request is None and template_name.startswith(WIDGETS):
            name = template_name[len(WIDGETS) :].removesuffix(".html")
            widget = context.get("widget")
            if widget is not None:
                if name in INPUT_TYPES:
                    return _input(widget)
                if name == "textarea":
                    return _textarea(widget)
                if name == "select":
                    html = self._select(widget)
                    if html is not None:
                        return html
        return super().render(template_name, context, request=request)

    def _select(self, widget: dict) -> str | None:
        parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_text(group_name)}">')
            for option in group_choices:
                if option["template_name"] != f"{WIDGETS}select_option.html":
                    return None  # options of a template of their own: the template renders the whole select
                parts.append(f"\n  {_option(option)}\n")
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)
