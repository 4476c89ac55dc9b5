from django.contrib import admin

from .models import DocumentType, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "project_class", "is_active", "sort_order")
    list_filter = ("kind", "project_class", "is_active")
    list_editable = ("is_active", "sort_order")
    search_fields = ("name", "code")


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "phase", "source", "description", "sort_order")
    list_filter = ("phase",)
    search_fields = ("name", "code", "description")
    fields = ("name", "code", "phase", "source", "description", "sort_order")
