from django.contrib import admin

from .models import CalendarDay, SlaPolicy


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name",)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name", "code", "clock", "duration_minutes", "warn_percent",
        "response_clock", "response_minutes", "description",
    )  # fmt: skip
    list_editable = ("clock", "duration_minutes", "warn_percent", "response_clock", "response_minutes")
    list_filter = ("clock",)
