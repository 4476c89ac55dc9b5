from django.contrib import admin

from .models import MonthlyReport, PlanItem, ProjectRaci, RaciTemplateRow, Risk, RiskMatrixCell


@admin.register(RiskMatrixCell)
class RiskMatrixCellAdmin(admin.ModelAdmin):
    list_display = ("probability", "impact", "level")
    list_editable = ("level",)
    list_display_links = None

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        from .risks import risk_levels_refresh

        risk_levels_refresh()

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if request.method == "POST":
            from .risks import risk_levels_refresh

            risk_levels_refresh()
        return response


@admin.register(RaciTemplateRow)
class RaciTemplateRowAdmin(admin.ModelAdmin):
    list_display = ("seq", "activity", "customer", "ours", "third", "active", "code")
    list_editable = ("customer", "ours", "third", "active")
    ordering = ("seq",)


@admin.register(PlanItem)
class PlanItemAdmin(admin.ModelAdmin):
    list_display = ("project", "seq", "name", "planned_start", "planned_end", "status", "actual_end")
    list_select_related = ("project",)
    search_fields = ("name", "project__code", "project__name")
    readonly_fields = [f.name for f in PlanItem._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Risk)
class RiskAdmin(admin.ModelAdmin):
    list_display = ("project", "level", "source", "description", "owner", "status", "next_review")
    list_select_related = ("project", "owner")
    list_filter = ("level", "status", "source")
    search_fields = ("description", "project__code", "project__name")
    readonly_fields = [f.name for f in Risk._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ProjectRaci)
class ProjectRaciAdmin(admin.ModelAdmin):
    autocomplete_fields = ("project", "ours_person")  # search boxes, not every project and person


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    autocomplete_fields = ("project", "author")
