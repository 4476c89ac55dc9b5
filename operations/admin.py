from django.contrib import admin

from pmis.records_admin import FlowRecordAdmin

from .models import Branch, Complaint, DutyRoster, DutyShift, Incident, Inspection, InspectionPlan, OnsiteVisit, Repair


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    """分支机构 by province: where one is active, on-site arrival is due within the short target."""

    list_display = ("name", "province", "active")
    list_filter = ("active", "province__region")
    search_fields = ("name", "province__name")


@admin.register(InspectionPlan)
class InspectionPlanAdmin(admin.ModelAdmin):
    list_display = ("project", "day_of_month", "inspector", "active")
    list_filter = ("active",)
    search_fields = ("project__name", "project__code")
    raw_id_fields = ("project", "inspector")


class DutyShiftInline(admin.TabularInline):
    model = DutyShift
    raw_id_fields = ("user",)
    extra = 0


@admin.register(DutyRoster)
class DutyRosterAdmin(admin.ModelAdmin):
    list_display = ("__str__", "first_day", "last_day")
    inlines = [DutyShiftInline]
    raw_id_fields = ("created_by",)


@admin.register(Incident)
class IncidentAdmin(FlowRecordAdmin):
    list_display = ("number", "project", "title", "level", "state", "handler", "reported_at", "recovered_at")
    list_select_related = ("project", "handler")
    list_filter = ("state", "level", "channel")
    search_fields = ("=number", "=project__code", "title")
    sortable_by = ("reported_at",)


@admin.register(OnsiteVisit)
class OnsiteVisitAdmin(FlowRecordAdmin):
    list_display = ("project", "province", "engineer", "state", "requested_at", "arrival_due_at", "arrived_at")
    list_select_related = ("project", "province", "engineer")
    list_filter = ("state", "has_branch")
    search_fields = ("=project__code", "project__name")
    sortable_by = ("requested_at",)


@admin.register(Repair)
class RepairAdmin(FlowRecordAdmin):
    list_display = ("project", "product", "state", "engineer", "received_at", "return_due_at", "returned_at")
    list_select_related = ("project", "engineer")
    list_filter = ("state",)
    search_fields = ("=project__code", "product")
    sortable_by = ()


@admin.register(Inspection)
class InspectionAdmin(FlowRecordAdmin):
    list_display = ("project", "month", "scheduled_on", "state", "done_by", "done_at")
    list_select_related = ("project", "done_by")
    list_filter = ("state",)
    search_fields = ("=project__code", "project__name")
    sortable_by = ()


@admin.register(Complaint)
class ComplaintAdmin(FlowRecordAdmin):
    list_display = ("ticket", "recorded_by", "recorded_at")
    list_select_related = ("ticket", "recorded_by")
    search_fields = ("=ticket__number",)
    sortable_by = ("recorded_at",)
