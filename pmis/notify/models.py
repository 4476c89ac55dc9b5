from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q


class Notification(models.Model):
    """An outbox row: written in the same transaction as the change that causes it. The row is
    the in-app notification; its e-mail copy is delivered by Celery and retried until sent."""

    class EmailState(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        SKIPPED = "skipped", "无需发送"
        FAILED = "failed", "发送失败"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="接收人"
    )
    kind = models.CharField("类型", max_length=64, blank=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=500, blank=True)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="关联记录类型"
    )
    object_id = models.PositiveBigIntegerField("关联记录 ID", null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    email_state = models.CharField("邮件状态", max_length=16, choices=EmailState.choices, default=EmailState.PENDING)
    email_attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    email_sent_at = models.DateTimeField("邮件发送时间", null=True, blank=True)
    email_error = models.TextField("最近一次错误", blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notify_recipient_recent"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="notify_unread"),
            models.Index(fields=["created_at"], condition=Q(email_state="pending"), name="notify_email_pending"),
        ]

    def __str__(self) -> str:
        return self.title


class ScheduledSend(models.Model):
    """What a scheduled job has sent, to whom, about what, for which period (a week, a deadline).
    Written in the same transaction as the notification; the unique key makes a second run, a
    redelivered task or a second beat send nothing twice. A row without a recipient records that
    the job has told everyone concerned about the record for that period (the SLA sweep's
    digests: one row per task, not one per task and person)."""

    job = models.CharField("定时任务", max_length=64)
    period = models.CharField("周期", max_length=64, help_text="如周报提醒的周一日期、时限预警的到期时间")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="接收人",
        help_text="为空表示已通知该记录的全部相关人员",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name="关联记录类型")
    object_id = models.PositiveBigIntegerField("关联记录 ID")
    subject = GenericForeignKey("content_type", "object_id")
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    class Meta:
        verbose_name = "定时任务发送记录"
        verbose_name_plural = "定时任务发送记录"
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "period", "recipient", "content_type", "object_id"], name="scheduled_send_once"
            ),
            models.UniqueConstraint(
                fields=["job", "period", "content_type", "object_id"],
                condition=Q(recipient__isnull=True),
                name="scheduled_send_once_for_all",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.period}"
