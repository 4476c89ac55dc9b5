import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from pmis.catalog.models import DocumentType


def _stored_name(instance, filename: str) -> str:
    # Generated names only: nothing the uploader typed reaches the file system.
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A typed document attached to any record. Uploading the same type again adds a version;
    earlier versions stay."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name="记录类型")
    object_id = models.PositiveBigIntegerField("记录 ID")
    subject = GenericForeignKey("content_type", "object_id")
    doc_type = models.ForeignKey(DocumentType, on_delete=models.PROTECT, verbose_name="文档类型")
    version = models.PositiveIntegerField("版本", default=1)
    file = models.FileField("文件", upload_to=_stored_name, max_length=255)
    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    mime = models.CharField("文件类型", max_length=100)
    sha256 = models.CharField("SHA-256", max_length=64)
    note = models.CharField("说明", max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["doc_type__sort_order", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "doc_type", "version"], name="attachment_version_unique"
            )
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id", "doc_type", "-version"], name="attachment_subject")
        ]

    def __str__(self) -> str:
        return f"{self.doc_type.name} v{self.version}：{self.original_name}"
