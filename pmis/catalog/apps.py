from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "pmis.catalog"
    label = "catalog"
    verbose_name = "产品与表单目录"
