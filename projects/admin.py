from django.contrib import admin

from .models import Project


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "region", "pm", "created_at")
    list_filter = ("kind", "region")
    search_fields = ("code", "name", "customer_name")
    list_select_related = ("region", "pm")
    autocomplete_fields = ("pm", "initiated_by", "parent")  # search boxes, not a list of every person
