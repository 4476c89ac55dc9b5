from datetime import timedelta

from django.db import models


class CalendarDay(models.Model):
    """A day that differs from the plain Monday–Friday week: a public holiday, or a weekend day
    that is worked in exchange (调休)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "法定节假日（休息）"
        WORKDAY = "workday", "调休上班"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    name = models.CharField("名称", max_length=32, blank=True)

    class Meta:
        verbose_name = "节假日 / 调休"
        verbose_name_plural = "工作日历"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class Clock(models.TextChoices):
    WORKING = "working", "工作时间"
    NATURAL = "natural", "自然时间（7×24）"


class SlaPolicy(models.Model):
    """How long a kind of waiting work may take, and on which clock."""

    code = models.SlugField("代码", max_length=64, unique=True)
    name = models.CharField("名称", max_length=64)
    clock = models.CharField("计时方式", max_length=16, choices=Clock.choices)
    duration_minutes = models.PositiveIntegerField("时限（分钟）")
    warn_percent = models.PositiveSmallIntegerField("预警点（%）", default=75)
    # 首次响应 (004 §8.1.2): only the after-sales severities carry one; it runs on its own clock.
    response_minutes = models.PositiveIntegerField(
        "首次响应时限（分钟）",
        null=True,
        blank=True,
        help_text="仅售后问题级别：自申报起多久内须首次响应客户（004 §8.1.2：4 个工作小时）",
    )
    response_clock = models.CharField("首次响应计时方式", max_length=16, choices=Clock.choices, blank=True)
    description = models.CharField("说明", max_length=255, blank=True)

    class Meta:
        verbose_name = "时限策略（SLA）"
        verbose_name_plural = "时限策略（SLA）"
        ordering = ["duration_minutes", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(warn_percent__gte=1, warn_percent__lte=100), name="sla_warn_percent_range"
            ),
            models.CheckConstraint(condition=models.Q(duration_minutes__gte=1), name="sla_duration_positive"),
            models.CheckConstraint(
                condition=models.Q(response_minutes__isnull=True)
                | (models.Q(response_minutes__gte=1) & ~models.Q(response_clock="")),
                name="sla_response_with_clock",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def response_duration(self) -> timedelta | None:
        return timedelta(minutes=self.response_minutes) if self.response_minutes else None

    @property
    def summary(self) -> str:
        """“自然时间（7×24），7 天” — the clock and the duration as people say them."""
        from .display import duration_text

        return f"{self.get_clock_display()}，{duration_text(self.duration)}"

    @property
    def response_summary(self) -> str:
        if not self.response_minutes:
            return ""
        from .display import duration_text

        return f"{Clock(self.response_clock).label}，{duration_text(self.response_duration)}"
