from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from guardian.admin import GuardedModelAdmin

from . import admin_thirdparty  # noqa: F401  (Chinese admins for axes and celery beat)
from .admin_labels import RoleGroupListFilter, localised_m2m_formfield
from .models import Department, Province, Region, User
from .roles import ROLE_BY_CODE, role_label


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "department", "region", "roles", "is_active")
    list_filter = ("is_active", "is_staff", "department", "region", ("groups", RoleGroupListFilter))
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

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **localised_m2m_formfield(db_field, kwargs))

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
    """Role groups by their Chinese label; the English code (the group's name, which the code
    looks roles up by) is shown beside it as help."""

    list_display = ("label", "code", "duty")
    list_display_links = ("label",)
    fields = ("label", "name", "permissions")
    readonly_fields = ("label",)

    @admin.display(description="角色", ordering="name")
    def label(self, obj):
        return role_label(obj.name) if obj else ""

    @admin.display(description="角色代码", ordering="name")
    def code(self, obj):
        return obj.name

    @admin.display(description="职责")
    def duty(self, obj):
        role = ROLE_BY_CODE.get(obj.name)
        return role.duty if role else ""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.base_fields["name"].label = "角色代码"
        form.base_fields[
            "name"
        ].help_text = "英文代码，系统据此识别角色（如 sales 即“销售 / 责任销售”）；已有角色请勿修改。"
        return form

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **localised_m2m_formfield(db_field, kwargs))
