from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models

from pmis.catalog.models import DocumentType

from .models import Attachment


@dataclass
class DocumentSlot:
    doc_type: DocumentType
    versions: list[Attachment] = field(default_factory=list)

    @property
    def current(self) -> Attachment | None:
        return self.versions[0] if self.versions else None


def attachments_for(subject: models.Model) -> list[DocumentSlot]:
    """Every document type present on a record with all its versions, newest first; one query."""
    rows = (
        Attachment.objects.filter(content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk)
        .select_related("doc_type", "uploaded_by")
        .order_by("doc_type__sort_order", "doc_type_id", "-version")
    )
    slots: dict[int, DocumentSlot] = {}
    for row in rows:
        slots.setdefault(row.doc_type_id, DocumentSlot(row.doc_type)).versions.append(row)
    return list(slots.values())


def present_doc_type_codes(subject: models.Model) -> set[str]:
    return set(
        Attachment.objects.filter(
            content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk
        ).values_list("doc_type__code", flat=True)
    )
