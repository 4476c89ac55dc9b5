from django.contrib import admin

from .models import ScheduledSend


@admin.register(ScheduledSend)
class ScheduledSendAdmin(admin.ModelAdmin):
    """What the scheduled jobs have sent: read-only, a record of fact."""

    list_display = ("job", "period", "recipient", "content_type", "object_id", "sent_at")
    list_filter = ("job",)
    search_fields = ("period", "recipient__username", "recipient__display_name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
