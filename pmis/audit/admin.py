from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import Min

from pmis.org.admin_labels import ContentTypeListFilter, content_type_label

from .models import AuditEntry


class ActionListFilter(admin.SimpleListFilter):
    """Actions by the Chinese label the services wrote with them."""

    title = "动作"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        rows = AuditEntry.objects.values("action").annotate(label=Min("action_label")).order_by("action")
        return [(row["action"], row["label"].split("：")[0]) for row in rows]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log can be searched and read, never added to, edited or deleted here.
    States, actions and record types show their Chinese labels, never their codes."""

    list_display = ("at", "action_label", "record", "from_state_label", "to_state_label", "actor")
    list_filter = (("content_type", ContentTypeListFilter), ActionListFilter)
    search_fields = ("action_label", "comment")
    list_select_related = ("actor",)
    date_hierarchy = "at"
    fields = ("at", "action_label", "record", "from_state_label", "to_state_label", "actor", "comment", "details")
    readonly_fields = fields

    @admin.display(description="记录")
    def record(self, obj):
        ct = ContentType.objects.get_for_id(obj.content_type_id)
        return f"{content_type_label(ct)} #{obj.object_id}"

    @admin.display(description="原状态")
    def from_state_label(self, obj):
        return obj.from_label or "—"

    @admin.display(description="新状态")
    def to_state_label(self, obj):
        return obj.to_label or "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
