from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log can be searched and read, never added to, edited or deleted here."""

    list_display = ("at", "action_label", "content_type", "object_id", "from_state", "to_state", "actor")
    list_filter = ("content_type", "action")
    search_fields = ("action_label", "comment")
    list_select_related = ("actor", "content_type")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
