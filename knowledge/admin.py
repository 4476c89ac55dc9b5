from django.contrib import admin

from .models import Article


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("number", "title", "versions", "created_by", "created_at")
    search_fields = ("number", "title", "problem")
    raw_id_fields = ("project", "ticket", "incident", "created_by")
    filter_horizontal = ("products",)
