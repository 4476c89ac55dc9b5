from django.contrib import admin

from .models import ApiToken, WebhookDelivery, WebhookEvent, WebhookSubscriber


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owner (or for a service account by an admin on its behalf
    with `token_create`); here they are seen, limited and revoked — the key is never shown."""

    list_display = ("name", "user", "prefix", "expires_at", "revoked_at", "last_used_at", "rate_per_minute")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__username", "user__display_name", "prefix")
    readonly_fields = ("user", "prefix", "created_at", "created_by", "last_used_at")
    fields = ("user", "name", "prefix", "scopes", "rate_per_minute", "expires_at", "revoked_at", "created_at",
              "created_by", "last_used_at")  # fmt: skip

    def has_add_permission(self, request):
        return False


@admin.register(WebhookSubscriber)
class WebhookSubscriberAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "active", "created_at")
    list_filter = ("active",)


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("id", "event", "created_at")
    list_filter = ("event",)
    readonly_fields = ("event", "payload", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "event", "subscriber", "state", "attempts", "last_status", "next_attempt_at", "delivered_at")
    list_filter = ("state", "subscriber")
    readonly_fields = ("event", "subscriber", "attempts", "last_status", "last_error", "delivered_at")
