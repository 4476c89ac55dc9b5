"""PDFs of the system's own forms: a Django template rendered by WeasyPrint with the Noto CJK
font embedded (fonts-noto-cjk; HarfBuzz subsetting keeps the files small)."""

from django.conf import settings
from django.template.loader import render_to_string


def render_pdf(template_name: str, context: dict | None = None, *, request=None) -> bytes:
    from weasyprint import HTML

    html = render_to_string(template_name, context or {}, request=request)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
