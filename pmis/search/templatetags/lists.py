from django import template
from django.utils.html import format_html

register = template.Library()

ARROWS = {"ascending": "▲", "descending": "▼", "none": ""}


@register.simple_tag
def sort_header(result, key: str, label: str):
    """A column heading that sorts the list by `key` (one of its whitelisted sorts)."""
    state = result.sort_state(key)
    return format_html(
        '<th aria-sort="{}"><a class="sort-link" href="{}" data-sort="{}">{}'
        '<span class="sort-arrow">{}</span></a></th>',
        state,
        result.sort_url(key),
        key,
        label,
        ARROWS[state],
    )


@register.simple_tag(takes_context=True)
def pager(context, page):
    from pmis.lists import page_links

    return page_links(context["request"].GET, page)


@register.filter
def sort_url(result, key: str) -> str:
    """For lists that are not tables: the link that sorts by `key` (or reverses it)."""
    return result.sort_url(key)
