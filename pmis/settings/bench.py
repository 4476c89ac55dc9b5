"""`make bench` only: the local settings plus the floor page (pmis/bench_urls.py). Production
loads pmis.settings.production, which never names that URLconf, so the floor page is not there."""

from .local import *  # noqa: F403

ROOT_URLCONF = "pmis.bench_urls"
