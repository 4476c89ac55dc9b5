from django import template

from pmis.worktime.display import duration_text

register = template.Library()


@register.filter
def duration(value) -> str:
    """{{ seconds_or_timedelta|duration }} → “6 小时”, “7 天”."""
    return duration_text(value)
