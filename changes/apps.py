from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = "需求变更、缺陷修复与版本发布"

    def ready(self) -> None:
        from pmis.documents import access
        from projects import workspace

        from . import tabs
        from .models import Bug, ChangeRequest, Release
        from .selectors import record_can_attach, record_can_view

        for tab in tabs.TABS:
            workspace.register(tab)
        # the signed 需求变更申请单, the release application and notes, the BUG record
        for model in (ChangeRequest, Bug, Release):
            access.register(model, can_view=record_can_view, can_attach=record_can_attach)

        from approvals.chains import chain_record

        from .services.change_requests import change_assignee, change_context
        from .services.releases import release_assignee, release_context

        chain_record(ChangeRequest, chain="change", context=change_context, assignee=change_assignee)
        chain_record(Release, chain="release", context=release_context, assignee=release_assignee)
