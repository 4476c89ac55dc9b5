"""PDFs of the system's own forms: a Django template rendered by WeasyPrint with the Chinese font
embedded (pmis/documents/fonts.py keeps a subset made once, so a render does not subset a 20 MB
collection). A form whose record has not changed is served from the cache: the key is the
record's version, so any change — a field, a decision, an attachment — makes a new PDF."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string

from .fonts import pdf_fonts

CACHE_SECONDS = 7 * 24 * 3600
_font_config = None


def _weasy():
    """WeasyPrint and one font configuration for the process (fontconfig is read once)."""
    global _font_config
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    if _font_config is None:
        _font_config = FontConfiguration()
    return HTML, _font_config


def render_pdf(template_name: str, context: dict | None = None, *, request=None) -> bytes:
    html_class, font_config = _weasy()
    html = render_to_string(template_name, {"pdf_fonts": pdf_fonts(), **(context or {})}, request=request)
    return html_class(string=html, base_url=str(settings.BASE_DIR)).write_pdf(font_config=font_config)


def cached_pdf(template_name: str, version: str, build_context) -> bytes:
    """The PDF of a record at `version`, rendered once; `build_context()` is only called on a miss."""
    key = "pdf:" + hashlib.sha256(f"{template_name}|{version}".encode()).hexdigest()
    content = cache.get(key)
    if content is None:
        content = render_pdf(template_name, build_context())
        cache.set(key, content, CACHE_SECONDS)
    return content


def warm() -> None:
    """Import WeasyPrint and build the fonts before the first request (web processes only)."""
    _weasy()
    pdf_fonts()
