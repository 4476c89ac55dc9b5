"""`make bench` only: the local settings plus the floor page (pmis/bench_urls.py). Production
loads pmis.settings.production, which never names that URLconf, so the floor page is not there."""

from .local import *  # noqa: F403

ROOT_URLCONF = "pmis.bench_urls"

# Runs on other databases may share the Redis database: each keeps its cache entries apart.
CACHES["default"].setdefault("KEY_PREFIX", DATABASES["default"]["NAME"])  # noqa: F405
