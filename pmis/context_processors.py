from django.conf import settings

from approvals.selectors import inbox_count
from pmis.navigation import nav_for
from pmis.notify.selectors import unread_count
from pmis.org.selectors import user_roles


def layout(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_sections": nav_for(user),
        "my_roles": user_roles(user),
        "layout_counts": {"inbox": inbox_count(user)},
        "unread_notifications": unread_count(user),
        "search_min_chars": settings.PMIS_SEARCH_MIN_CHARS,
    }
