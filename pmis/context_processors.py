from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe

from pmis.html import escape
from pmis.layout import layout_facts
from pmis.org.roles import ROLE_BY_CODE


def side_nav(sections: list[dict], counts: dict, path: str) -> SafeString:
    """The side bar's links written out in Python, not by a template loop over some twenty items
    and their badges on every page: the same markup the loop wrote, the current page's link
    marked active."""
    parts = []
    for section in sections:
        parts.append(
            '\n        <div class="nav-section">\n'
            f'          <div class="nav-title">{escape(section["title"])}</div>\n          '
        )
        for item in section["items"]:
            label, url = escape(item["label"]), item["url"]
            active = " active" if url == path else ""
            value = counts.get(item["badge"]) if item["badge"] else None
            badge = f'<span class="badge" data-badge="{item["badge"]}">{escape(value)}</span>' if value else ""
            parts.append(
                f'\n            <a class="nav-link{active}" href="{escape(url)}" data-nav="{label}">\n'
                f"              {label}\n              {badge}\n            </a>\n          "
            )
        parts.append("\n        </div>\n      ")
    return mark_safe("".join(parts))


# The signed-in layout's own links and scripts, the same on every page: looked up once per process
# (and script prefix) rather than by six {% url %} and two {% static %} tags on each page.
_LAYOUT_URLS: dict[str, dict] = {}


def layout_urls() -> dict:
    prefix = get_script_prefix()
    urls = _LAYOUT_URLS.get(prefix)
    if urls is None:
        names = ("home", "search:results", "search:suggest", "notify:list", "password_change", "logout")
        urls = {name.replace(":", "_"): reverse(name) for name in names}
        urls.update({"search_js": static("js/pmis-search.js"), "phone_js": static("js/pmis-phone.js")})
        _LAYOUT_URLS[prefix] = urls
    return urls


@receiver(setting_changed)
def _urls_changed(setting, **kwargs) -> None:
    if setting in ("ROOT_URLCONF", "STATIC_URL", "STORAGES", "FORCE_SCRIPT_NAME"):
        _LAYOUT_URLS.clear()


def layout(request) -> dict:
    """The layout's per-user facts: one cache lookup on a warm page (pmis.layout)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    facts = layout_facts(user, inbox_count=getattr(request, "pmis_inbox_count", None))
    counts = {"inbox": facts["inbox"]}
    return {
        "nav_sections": facts["nav"],
        "side_nav": side_nav(facts["nav"], counts, request.path),
        "my_roles": [ROLE_BY_CODE[code] for code in facts["roles"] if code in ROLE_BY_CODE],
        "unread_notifications": facts["unread"],
        "search_min_chars": settings.PMIS_SEARCH_MIN_CHARS,
        "layout_urls": layout_urls(),
    }
