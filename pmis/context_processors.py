from django.conf import settings

from pmis.layout import layout_facts
from pmis.org.roles import ROLE_BY_CODE


def layout(request) -> dict:
    """The layout's per-user facts: one cache lookup on a warm page (pmis.layout)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    facts = layout_facts(user, inbox_count=getattr(request, "pmis_inbox_count", None))
    return {
        "nav_sections": facts["nav"],
        "my_roles": [ROLE_BY_CODE[code] for code in facts["roles"] if code in ROLE_BY_CODE],
        "layout_counts": {"inbox": facts["inbox"]},
        "unread_notifications": facts["unread"],
        "search_min_chars": settings.PMIS_SEARCH_MIN_CHARS,
    }
