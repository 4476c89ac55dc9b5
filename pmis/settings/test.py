"""Test settings: PostgreSQL and Redis, because production runs on them."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pmis")
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")

from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = False
# Tests count a page's queries with the layout built afresh on every request, as each page's own
# cost; the tests of the layout cache (and the scale test) switch PMIS_LAYOUT_CACHE to "default".
CACHES = {**CACHES, "layout": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}  # noqa: F405
PMIS_LAYOUT_CACHE = "layout"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
