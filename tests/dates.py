from datetime import timedelta

from django.utils import timezone


def days_from_today(days: int) -> str:
    """A date relative to today, so that the forms' date bounds hold whenever the suite runs."""
    return (timezone.localdate() + timedelta(days=days)).isoformat()
