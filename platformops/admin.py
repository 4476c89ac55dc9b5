from django.contrib import admin

from pmis.records_admin import FlowRecordAdmin

from .models import CloudDeployment


@admin.register(CloudDeployment)
class CloudDeploymentAdmin(FlowRecordAdmin):
    list_display = ("number", "project", "kind", "state", "requested_by", "created_at", "versions", "done_at")
    list_select_related = ("project", "requested_by")
    list_filter = ("state", "kind")
    search_fields = ("=number", "=project__code", "project__name")
    sortable_by = ("created_at", "done_at")
