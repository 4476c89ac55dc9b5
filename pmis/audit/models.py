from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class AuditEntry(models.Model):
    """One row per state change or decision, on any record. Written once, never edited."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name="记录类型")
    object_id = models.PositiveBigIntegerField("记录 ID")
    subject = GenericForeignKey("content_type", "object_id")
    action = models.CharField("动作代码", max_length=64)
    action_label = models.CharField("动作", max_length=64)
    from_state = models.CharField("原状态", max_length=64, blank=True)
    to_state = models.CharField("新状态", max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
        help_text="为空表示系统自动执行",
    )
    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    comment = models.TextField("意见 / 说明", blank=True)
    details = models.JSONField("详情", default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        verbose_name = "操作记录"
        verbose_name_plural = "操作记录"
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"], name="audit_subject_at")]

    def __str__(self) -> str:
        return f"{self.action_label}（{self.at:%Y-%m-%d %H:%M}）"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("操作记录不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("操作记录不可删除")

    def _state_label(self, value: str) -> str:
        """A state code in Chinese: rows written without their labels (bulk loads, older rows)
        take the label from the subject's state choices."""
        if not value:
            return ""
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        try:
            field = model._meta.get_field("state") if model else None
        except FieldDoesNotExist:
            field = None
        return dict(field.flatchoices).get(value, value) if field is not None and field.choices else value

    @property
    def via_text(self) -> str:
        """“经 API（令牌名）” for a change made through the API; empty for the pages."""
        if self.details.get("via") == "api":
            return f"经 API（{self.details.get('via_name', '')}）"
        return ""

    @property
    def actor_label(self) -> str:
        """Who did it, as the history and the PDFs print it: “李四 代 张三 审批” for a delegate."""
        if self.actor_id is None:
            return "系统"
        name = self.actor.display_name or self.actor.username
        principal = self.details.get("on_behalf_of_name")
        return f"{name} 代 {principal} 审批" if principal else name

    @property
    def from_label(self) -> str:
        return self.details.get("from_label") or self._state_label(self.from_state)

    @property
    def to_label(self) -> str:
        return self.details.get("to_label") or self._state_label(self.to_state)
