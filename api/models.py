"""API tokens (接口令牌) and outbound webhooks (Webhook 订阅、事件与投递记录)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    READ = "read", "只读（查询所有有权查看的数据）"
    REGISTRATIONS = "registrations", "实施登记（创建、上传附件、提交）"
    INBOX = "inbox", "待办（通过 / 退回 / 驳回）"
    TICKETS = "tickets", "售后问题（登记、回复、处理）"
    NOTIFICATIONS = "notifications", "通知（标记已读）"


ALL_SCOPES = [s.value for s in Scope]


class ApiToken(models.Model):
    """A named key for one user or service account. The key is shown once; only its SHA-256 is
    kept, so a leaked database does not leak working keys."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="所属用户"
    )
    name = models.CharField("名称", max_length=64, help_text="用途，如“CRM 合同同步”")
    prefix = models.CharField("前缀", max_length=16, help_text="令牌的前几位，用于辨认，不能用于调用")
    key_hash = models.CharField("摘要", max_length=64, unique=True, editable=False)
    scopes = models.JSONField("权限范围", default=list, blank=True)
    rate_per_minute = models.PositiveIntegerField("每分钟调用上限", default=120)
    expires_at = models.DateTimeField("有效期至")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="创建人",
    )

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="api_token_unique_name")]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def status_label(self) -> str:
        if self.revoked_at is not None:
            return "已吊销"
        if self.expires_at <= timezone.now():
            return "已过期"
        return "有效"

    def scope_labels(self) -> list[str]:
        labels = dict(Scope.choices)
        return [labels.get(s, s) for s in self.scopes]


class Event(models.TextChoices):
    REGISTRATION_SUBMITTED = "registration.submitted", "实施登记已提交"
    REGISTRATION_DECIDED = "registration.decided", "实施登记已审批（通过 / 退回 / 驳回）"
    PROJECT_PHASE_CHANGED = "project.phase_changed", "项目阶段变化"
    TICKET_CREATED = "ticket.created", "售后问题已登记"
    TICKET_BREACHED = "ticket.breached", "售后问题已超时"
    TICKET_RESOLVED = "ticket.resolved", "售后问题已解决"


class WebhookSubscriber(models.Model):
    name = models.CharField("名称", max_length=64, unique=True)
    url = models.URLField("接收地址", max_length=500)
    secret = models.CharField("签名密钥", max_length=128, help_text="双方共享；用于 HMAC-SHA256 签名，请勿外传")
    events = models.JSONField("订阅事件", default=list, help_text="为空表示订阅全部事件")
    active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "事件推送订阅方"
        verbose_name_plural = "事件推送订阅方"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


class WebhookEvent(models.Model):
    """The outbox: written in the transaction that caused it, so an event exists exactly when
    its change was committed."""

    event = models.CharField("事件", max_length=64, choices=Event.choices)
    payload = models.JSONField("内容")
    created_at = models.DateTimeField("发生时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "推送事件"
        verbose_name_plural = "推送事件"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_event_display()}"


class WebhookDelivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "待投递"
        DELIVERED = "delivered", "已送达"
        RETRYING = "retrying", "重试中"

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries", verbose_name="事件")
    subscriber = models.ForeignKey(
        WebhookSubscriber, on_delete=models.CASCADE, related_name="deliveries", verbose_name="订阅方"
    )
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", default=timezone.now)
    last_status = models.PositiveIntegerField("最近响应码", null=True, blank=True)
    last_error = models.CharField("最近错误", max_length=500, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "事件推送记录"
        verbose_name_plural = "事件推送记录"
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_delivery_due",
                condition=~models.Q(state="delivered"),
            )
        ]
        constraints = [
            models.UniqueConstraint(fields=["event", "subscriber"], name="webhook_delivery_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscriber}"
