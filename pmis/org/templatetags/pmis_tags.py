from datetime import timedelta

from django import template

from pmis.org.roles import role_label

register = template.Library()


@register.filter
def minutes(value: timedelta | None) -> int:
    if not value:
        return 0
    return int(value.total_seconds() // 60)


@register.filter(name="role_label")
def role_label_filter(code: str) -> str:
    return role_label(code)


@register.filter
def get_item(mapping, key):
    """{{ dict|get_item:key }} for a key held in a variable."""
    if not mapping:
        return None
    return mapping.get(key)
