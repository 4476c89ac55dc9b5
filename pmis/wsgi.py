import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmis.settings.local")

application = get_wsgi_application()

# A web process loads WeasyPrint and the PDF fonts while it starts, so the first person to open a
# form's PDF does not wait for them (PMIS_WARM_PDF=0 skips it, e.g. on a small test box).
if os.environ.get("PMIS_WARM_PDF", "1") != "0":
    from pmis.documents.pdf import warm

    warm()
