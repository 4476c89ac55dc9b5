from django.contrib import admin

from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "doc_type", "version", "content_type", "object_id", "uploaded_by", "uploaded_at")
    list_filter = ("doc_type", "content_type")
    search_fields = ("original_name", "sha256")
    list_select_related = ("doc_type", "uploaded_by", "content_type")
    readonly_fields = [f.name for f in Attachment._meta.fields]

    def has_add_permission(self, request):
        return False  # uploads go through the checked service

    def has_change_permission(self, request, obj=None):
        return False
