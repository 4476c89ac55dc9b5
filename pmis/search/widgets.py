from django import forms
from django.urls import reverse
from django.utils.http import urlencode


class PickerWidget(forms.Widget):
    """A search-as-you-type chooser (static/js/pmis-search.js): the person types a name, an
    account, a code or a customer, picks from the list, and the form receives the chosen value
    in a hidden input. A refused form shows the choice again; without script, an exact code,
    account or name typed in the box is taken as the choice."""

    template_name = "search/picker_widget.html"

    def __init__(self, source: str, *, multiple: bool = False, context: str = "", placeholder: str = "", attrs=None):
        super().__init__(attrs)
        self.source = source
        self.multiple = multiple
        self.context = context
        default = "输入项目编号、名称或客户搜索" if source == "project" else "输入姓名或账号搜索"
        self.placeholder = placeholder or default

    def _source(self):
        from .pickers import SOURCES

        return SOURCES[self.source]

    def format_value(self, value):
        if value in (None, ""):
            return []
        if isinstance(value, (list, tuple)):
            return [str(v) for v in value if v not in (None, "")]
        return [str(value)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = self._source().labels(context["widget"]["value"])
        query = {"context": self.context} if self.context else {}
        context["widget"].update(
            {
                "chosen": chosen,
                "multiple": self.multiple,
                "url": reverse("search:pick", args=[self.source]) + (f"?{urlencode(query)}" if query else ""),
                "placeholder": self.placeholder,
                "text": chosen[0][1] if chosen and not self.multiple else "",
            }
        )
        return context

    def value_from_datadict(self, data, files, name):
        if self.multiple:
            values = [v for v in data.getlist(name) if v]
            typed = self._source().exact(data.get(f"{name}__search", ""))
            return values + ([typed] if typed and typed not in values else [])
        value = data.get(name, "")
        if not value:
            value = self._source().exact(data.get(f"{name}__search", ""))
        return value

    def value_omitted_from_data(self, data, files, name):
        return False

    def use_required_attribute(self, initial):
        return False
