from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "pmis.org"
    label = "org"
    verbose_name = "组织与人员"

    def ready(self):
        # The first project app: set the forms' Chinese empty label before any form class exists.
        from pmis.forms import use_chinese_empty_label

        use_chinese_empty_label()
