from django.contrib import admin

from .models import Branch, DutyRoster, DutyShift, InspectionPlan


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
