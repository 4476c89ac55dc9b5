from django.contrib import admin

from pmis.records_admin import FlowRecordAdmin, FlowRecordInline

from .models import CloudOrder, CloudOrderItem, IntegrationRequest, Licence, LicenceReminder, ServiceRequest


class CloudOrderItemInline(FlowRecordInline):
    model = CloudOrderItem


@admin.register(CloudOrder)
class CloudOrderAdmin(FlowRecordAdmin):
    list_display = ("number", "customer_name", "project", "saas", "payment", "state", "team", "filed_by", "created_at")
    list_select_related = ("project", "filed_by")
    list_filter = ("state", "team", "saas", "payment")
    search_fields = ("=number", "customer_name", "=project__code")
    sortable_by = ("created_at",)
    inlines = [CloudOrderItemInline]


@admin.register(ServiceRequest)
class ServiceRequestAdmin(FlowRecordAdmin):
    list_display = ("number", "type", "team", "customer_name", "project", "state", "handler", "due_at", "done_at")
    list_select_related = ("project", "handler")
    list_filter = ("team", "state", "type")
    search_fields = ("=number", "customer_name", "=project__code")
    sortable_by = ("due_at", "created_at")


class LicenceReminderInline(FlowRecordInline):
    model = LicenceReminder


@admin.register(Licence)
class LicenceAdmin(FlowRecordAdmin):
    """授权台账: a term is corrected on the register's page (licence_term_set, audited), not here."""

    list_display = ("customer_name", "product", "project", "quantity", "starts_on", "expires_on", "source")
    list_select_related = ("product", "project")
    list_filter = ("source", "product")
    search_fields = ("customer_name", "=project__code")
    sortable_by = ("expires_on",)
    inlines = [LicenceReminderInline]


@admin.register(IntegrationRequest)
class IntegrationRequestAdmin(FlowRecordAdmin):
    list_display = ("order", "project", "state", "filed_by", "created_at", "integrated_at")
    list_select_related = ("order", "project", "filed_by")
    list_filter = ("state",)
    search_fields = ("=order__number", "=project__code", "order__customer_name")
    sortable_by = ("created_at",)
