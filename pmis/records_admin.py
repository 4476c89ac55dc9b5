"""The admin of the flows' records (申请单、工单、记录). Their states change only through the flows'
services, which check permission, lock the row and write the audit row; so the admin finds and
shows a record but neither edits, adds nor deletes it. Its lists stay fast with many rows: the
columns sort only where an index does, the filters are choices (never a list of every project or
person), a search never counts the whole table again, and related rows come in the same query."""

from django.contrib import admin


class FlowRecordAdmin(admin.ModelAdmin):
    show_full_result_count = False
    list_per_page = 50

    def get_readonly_fields(self, request, obj=None):
        opts = self.model._meta
        return [f.name for f in opts.fields] + [f.name for f in opts.many_to_many]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class FlowRecordInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False
