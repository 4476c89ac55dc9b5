from django.contrib import admin

from .models import ReleaseWindow


@admin.register(ReleaseWindow)
class ReleaseWindowAdmin(admin.ModelAdmin):
    list_display = ("weekday", "request_cutoff", "release_from", "active")
    list_editable = ("request_cutoff", "release_from", "active")
