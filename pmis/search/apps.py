from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "pmis.search"
    label = "search"
    verbose_name = "搜索"
