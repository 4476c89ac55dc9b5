from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from guardian.admin import GuardedModelAdmin

from .models import Department, Province, Region, User
from .roles import role_label


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "department", "region", "roles", "is_active")
    list_filter = ("is_active", "is_staff", "department", "region", "groups")
    search_fields = ("username", "display_name", "phone", "email")
    list_select_related = ("department", "region")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("display_name", "phone", "email", "department", "region")}),
        ("角色与权限", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("重要日期", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "display_name", "department", "region", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="角色")
    def roles(self, obj):
        return "、".join(role_label(g.name) for g in obj.groups.all())


class ProvinceInline(admin.TabularInline):
    model = Province
    extra = 0


@admin.register(Region)
class RegionAdmin(GuardedModelAdmin):
    list_display = ("name", "code", "svn_path_template", "sort_order")
    inlines = [ProvinceInline]


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ("name", "region")
    list_filter = ("region",)
    list_select_related = ("region",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "parent")
    list_select_related = ("parent",)
    search_fields = ("name", "code")


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    list_display = ("name", "label")

    @admin.display(description="角色名称")
    def label(self, obj):
        return role_label(obj.name)
