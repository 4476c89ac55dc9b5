from django.contrib import admin

from pmis.records_admin import FlowRecordAdmin

from .models import Bug, ChangeRequest, Release, ReleaseWindow


@admin.register(ReleaseWindow)
class ReleaseWindowAdmin(admin.ModelAdmin):
    list_display = ("weekday", "request_cutoff", "release_from", "active")
    list_editable = ("request_cutoff", "release_from", "active")


@admin.register(ChangeRequest)
class ChangeRequestAdmin(FlowRecordAdmin):
    list_display = ("number", "project", "kind", "title", "state", "submitted_by", "submitted_at", "planned_date")
    list_select_related = ("project", "submitted_by")
    list_filter = ("state", "kind", "size")
    search_fields = ("=number", "=project__code", "title")
    sortable_by = ("submitted_at",)


@admin.register(Bug)
class BugAdmin(FlowRecordAdmin):
    list_display = ("number", "project", "title", "origin", "state", "fixed_version", "product_request", "filed_at")
    list_select_related = ("project", "product_request")
    list_filter = ("state", "origin")
    search_fields = ("=number", "=project__code", "title", "=product_request__number")
    sortable_by = ("filed_at",)


@admin.register(Release)
class ReleaseAdmin(FlowRecordAdmin):
    list_display = ("number", "project", "version", "state", "emergency", "requester", "requested_at", "released_at")
    list_select_related = ("project", "requester")
    list_filter = ("state", "emergency", "downtime")
    search_fields = ("=number", "=project__code", "version")
    sortable_by = ("released_at",)
