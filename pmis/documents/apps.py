from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "pmis.documents"
    label = "documents"
    verbose_name = "文档"
