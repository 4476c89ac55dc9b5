from django.apps import AppConfig


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = "移交与售后"
