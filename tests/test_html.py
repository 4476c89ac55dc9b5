"""pmis.html: the rows written in Python escape exactly as Django's escape / conditional_escape."""

from django.utils import html as django_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from pmis import html

VALUES = [
    '<script>alert("x")</script>',
    "A & B's “引号” <b>",
    "",
    None,
    0,
    12.5,
    mark_safe("<b>已是 HTML</b>"),
    gettext_lazy("Password"),
]


def test_escape_and_conditional_escape_write_what_djangos_write():
    for value in VALUES:
        assert str(html.escape(value)) == str(django_html.escape(value)), value
        assert str(html.conditional_escape(value)) == str(django_html.conditional_escape(value)), value
        assert isinstance(html.escape(value), SafeString)
    assert html.conditional_escape("<i>") == "&lt;i&gt;"
