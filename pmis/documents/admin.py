from django.contrib import admin

from pmis.org.admin_labels import ContentTypeListFilter, content_type_label

from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("original_name", "doc_type", "version", "record", "uploaded_by", "uploaded_at")
    list_filter = ("doc_type", ("content_type", ContentTypeListFilter))
    search_fields = ("original_name", "sha256")
    list_select_related = ("doc_type", "uploaded_by", "content_type")
    readonly_fields = [f.name for f in Attachment._meta.fields]

    @admin.display(description="所属记录")
    def record(self, obj):
        return f"{content_type_label(obj.content_type)} #{obj.object_id}"

    def has_add_permission(self, request):
        return False  # uploads go through the checked service

    def has_change_permission(self, request, obj=None):
        return False
