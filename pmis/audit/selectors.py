from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import QuerySet

from .models import AuditEntry


def audit_for(subject: models.Model) -> QuerySet[AuditEntry]:
    """A record's history, oldest first, with the actor fetched in the same query."""
    return (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(subject, for_concrete_model=False),
            object_id=subject.pk,
        )
        .select_related("actor")
        .order_by("at", "id")
    )
