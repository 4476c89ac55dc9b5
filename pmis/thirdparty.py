"""Chinese names for the third-party apps the admin lists (django-celery-beat translates its
own). Each subclass keeps the library's label, models and start-up code; INSTALLED_APPS names
these instead of the bare packages."""

from axes.apps import AppConfig as AxesAppConfig
from guardian.apps import GuardianConfig as GuardianAppConfig


class AxesConfig(AxesAppConfig):
    verbose_name = "登录锁定"


class GuardianConfig(GuardianAppConfig):
    verbose_name = "对象权限"
