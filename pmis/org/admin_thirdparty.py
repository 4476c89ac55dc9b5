"""The lock-out and scheduler admins with Chinese column and filter names where the libraries
leave them untranslated (a method without a description, a field named in plain English).
Imported by pmis/org/admin.py, which loads after both libraries' admins."""

import calendar

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from cron_descriptor import ExpressionDescriptor, Options
from django.contrib import admin
from django_celery_beat.admin import (
    ClockedScheduleAdmin,
    CrontabScheduleAdmin,
    IntervalScheduleAdmin,
    PeriodicTaskAdmin,
    PeriodicTaskInline,
    SolarScheduleAdmin,
)
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

_WEEKDAYS = "一二三四五六日"


def crontab_description(crontab: CrontabSchedule | None) -> str:
    """A crontab in Chinese ("在 10:00, 仅在 星期一")."""
    if crontab is None:
        return ""
    options = Options()
    options.locale_code = "zh_CN"
    options.use_24hour_time_format = True
    expression = " ".join(
        str(part)
        for part in (crontab.minute, crontab.hour, crontab.day_of_month, crontab.month_of_year, crontab.day_of_week)
    )
    try:
        text = ExpressionDescriptor(expression, options).get_description()
    except Exception:
        return expression
    # the library names days and months in English whatever the locale
    for index, name in enumerate(calendar.day_name):
        text = text.replace(name, f"星期{_WEEKDAYS[index]}")
    for index, name in enumerate(calendar.month_name):
        if name:
            text = text.replace(name, f"{index}月")
    return f"{text}（{crontab.timezone}）"


class TaskNameListFilter(admin.SimpleListFilter):
    title = "任务"
    parameter_name = "task"

    def lookups(self, request, model_admin):
        names = PeriodicTask.objects.order_by("task").values_list("task", flat=True).distinct()
        return [(name, name) for name in names]

    def queryset(self, request, queryset):
        return queryset.filter(task=self.value()) if self.value() else queryset


class PeriodicTaskChineseAdmin(PeriodicTaskAdmin):
    list_display = ("name", "enabled", "schedule", "start_time", "last_run_at", "one_off")
    list_filter = ["enabled", "one_off", TaskNameListFilter, "start_time", "last_run_at"]

    @admin.display(description="执行计划")
    def schedule(self, obj):
        if obj.crontab_id:
            return crontab_description(obj.crontab)
        return str(obj.scheduler)

    @admin.display(description="Crontab 说明")
    def crontab_translation(self, obj):
        return crontab_description(obj.crontab)


class PeriodicTaskChineseInline(PeriodicTaskInline):
    fields = ("name", "task_name", "args", "kwargs")
    readonly_fields = fields

    @admin.display(description="任务")
    def task_name(self, obj):
        return obj.task


class CrontabScheduleChineseAdmin(CrontabScheduleAdmin):
    inlines = [PeriodicTaskChineseInline]
    list_display = ("__str__", "description")
    fields = ("description", "minute", "hour", "day_of_month", "month_of_year", "day_of_week", "timezone")
    readonly_fields = ("description",)

    @admin.display(description="说明")
    def description(self, obj):
        return crontab_description(obj)


class ClockedScheduleChineseAdmin(ClockedScheduleAdmin):
    inlines = [PeriodicTaskChineseInline]


class IntervalScheduleChineseAdmin(IntervalScheduleAdmin):
    inlines = [PeriodicTaskChineseInline]


class SolarScheduleChineseAdmin(SolarScheduleAdmin):
    inlines = [PeriodicTaskChineseInline]


class AccessAttemptChineseAdmin(AccessAttemptAdmin):
    @admin.display(description="过期时间")
    def expiration(self, obj):
        return super().expiration(obj)

    @admin.display(description="状态")
    def status(self, obj):
        return super().status(obj)


def _replace(model, model_admin) -> None:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, model_admin)


_replace(PeriodicTask, PeriodicTaskChineseAdmin)
_replace(CrontabSchedule, CrontabScheduleChineseAdmin)
_replace(ClockedSchedule, ClockedScheduleChineseAdmin)
_replace(IntervalSchedule, IntervalScheduleChineseAdmin)
_replace(SolarSchedule, SolarScheduleChineseAdmin)
_replace(AccessAttempt, AccessAttemptChineseAdmin)
