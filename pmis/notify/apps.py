from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "pmis.notify"
    label = "notify"
    verbose_name = "通知"
