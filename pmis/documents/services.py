from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import Max

from pmis.audit.services import audit_record
from pmis.catalog.models import DocumentType

from . import access
from .models import Attachment
from .validation import check_upload


def attachment_add(
    *, subject: models.Model, doc_type: DocumentType, upload, actor, note: str = "", check_permission: bool = True
) -> Attachment:
    """Store an upload as the next version of `doc_type` on `subject`. Size and type are checked
    first (ValidationError in Chinese); earlier versions are kept."""
    if check_permission and not access.can_attach(actor, subject):
        raise PermissionDenied("您无权向该记录上传文档")
    checked = check_upload(upload, doc_type_code=doc_type.code)
    content_type = ContentType.objects.get_for_model(subject)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                latest = Attachment.objects.filter(
                    content_type=content_type, object_id=subject.pk, doc_type=doc_type
                ).aggregate(v=Max("version"))["v"]
                attachment = Attachment(
                    content_type=content_type,
                    object_id=subject.pk,
                    doc_type=doc_type,
                    version=(latest or 0) + 1,
                    original_name=(upload.name or "未命名")[-255:],
                    size=checked.size,
                    mime=checked.mime,
                    sha256=checked.sha256,
                    note=note,
                    uploaded_by=actor,
                )
                attachment.file.save("upload", upload, save=False)
                attachment.save()
                audit_record(
                    subject=subject,
                    action="document.upload",
                    label=f"上传{doc_type.name}",
                    actor=actor,
                    comment=note,
                    details={
                        "attachment": attachment.pk,
                        "version": attachment.version,
                        "file": attachment.original_name,
                    },
                )
                access.attached(subject, attachment, actor)
                return attachment
        except IntegrityError:
            attachment.file.delete(save=False)  # another upload took this version number; try the next
    raise IntegrityError("同时上传的文件过多，请稍后重试")
