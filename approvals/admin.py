from django.contrib import admin

from .models import ChainStepSetting, Delegation, ImIdentity, Robot, RobotMessage


@admin.register(Robot)
class RobotAdmin(admin.ModelAdmin):
    """群机器人: per department or project (neither: the whole company). See README 群机器人."""

    list_display = ("name", "platform", "department", "project", "active")
    list_filter = ("platform", "active")
    search_fields = ("name",)
    autocomplete_fields = ("project",)


@admin.register(RobotMessage)
class RobotMessageAdmin(admin.ModelAdmin):
    list_display = ("title", "robot", "state", "attempts", "created_at", "sent_at")
    list_filter = ("state",)
    readonly_fields = ("robot", "title", "text", "state", "attempts", "last_error", "created_at", "sent_at")


@admin.register(ImIdentity)
class ImIdentityAdmin(admin.ModelAdmin):
    list_display = ("user", "platform", "im_user_id")
    list_filter = ("platform",)
    search_fields = ("user__display_name", "user__username", "im_user_id")
    autocomplete_fields = ("user",)


@admin.register(Delegation)
class DelegationAdmin(admin.ModelAdmin):
    """Read here; set and cancel on 代理审批 (the service checks who may and tells both)."""

    list_display = ("delegate", "delegator", "starts_on", "ends_on", "cancelled_at")
    search_fields = ("delegator__display_name", "delegate__display_name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ChainStepSetting)
class ChainStepSettingAdmin(admin.ModelAdmin):
    """审批环节设置: who a declared step waits on, 会签 / 或签, its deadline and whom it copies. The
    steps themselves, their order and scope are declared in approvals/chains.py."""

    list_display = ("label", "code", "role", "mode", "policy")
    list_editable = ("mode",)
    readonly_fields = ("code",)
    autocomplete_fields = ("copy_to",)  # a search box, not a list of every person

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
