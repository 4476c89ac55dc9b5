from django.contrib import admin

from pmis.records_admin import FlowRecordAdmin, FlowRecordInline

from .models import (
    AcceptanceApproval,
    AcceptanceIssue,
    ActionItem,
    Meeting,
    Review,
    Survey,
    TrainingAttendee,
    TrainingPlan,
    TrainingSession,
)

PROJECT_SEARCH = ("=project__code", "project__name")


@admin.register(Meeting)
class MeetingAdmin(FlowRecordAdmin):
    list_display = ("project", "kind", "held_on", "state", "created_by")
    list_select_related = ("project", "created_by")
    list_filter = ("kind", "state")
    search_fields = PROJECT_SEARCH
    sortable_by = ()


@admin.register(Review)
class ReviewAdmin(FlowRecordAdmin):
    list_display = ("project", "kind", "state", "requested_by", "requested_at", "decided_by", "decided_at")
    list_select_related = ("project", "requested_by", "decided_by")
    list_filter = ("kind", "state")
    search_fields = PROJECT_SEARCH
    sortable_by = ()


@admin.register(ActionItem)
class ActionItemAdmin(FlowRecordAdmin):
    list_display = ("title", "project", "owner", "due_date", "state", "done_at")
    list_select_related = ("project", "owner")
    list_filter = ("state",)
    search_fields = (*PROJECT_SEARCH, "title")
    sortable_by = ()


class TrainingSessionInline(FlowRecordInline):
    model = TrainingSession


@admin.register(TrainingPlan)
class TrainingPlanAdmin(FlowRecordAdmin):
    list_display = ("title", "project", "trainer", "notice_sent_at", "created_at")
    list_select_related = ("project", "trainer")
    search_fields = (*PROJECT_SEARCH, "title")
    sortable_by = ()
    inlines = [TrainingSessionInline]


class TrainingAttendeeInline(FlowRecordInline):
    model = TrainingAttendee


@admin.register(TrainingSession)
class TrainingSessionAdmin(FlowRecordAdmin):
    list_display = ("topic", "plan", "starts_at", "location", "held")
    list_select_related = ("plan__project",)
    list_filter = ("held",)
    search_fields = ("=plan__project__code", "topic")
    sortable_by = ()
    inlines = [TrainingAttendeeInline]


@admin.register(AcceptanceApproval)
class AcceptanceApprovalAdmin(FlowRecordAdmin):
    list_display = ("project", "state", "submitted_by", "submitted_at", "decided_at")
    list_select_related = ("project", "submitted_by")
    list_filter = ("state",)
    search_fields = PROJECT_SEARCH
    sortable_by = ()


@admin.register(AcceptanceIssue)
class AcceptanceIssueAdmin(FlowRecordAdmin):
    list_display = ("title", "project", "state", "created_by", "created_at", "closed_at")
    list_select_related = ("project", "created_by")
    list_filter = ("state",)
    search_fields = (*PROJECT_SEARCH, "title")
    sortable_by = ()


@admin.register(Survey)
class SurveyAdmin(FlowRecordAdmin):
    list_display = ("project", "state", "channel", "sent_at", "answered_at", "overall")
    list_select_related = ("project",)
    list_filter = ("state", "channel")
    search_fields = PROJECT_SEARCH
    sortable_by = ()
