"""The embedded default for one machine: debug on, SQLite and the filesystem broker unless the
environment names a real database or broker."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
