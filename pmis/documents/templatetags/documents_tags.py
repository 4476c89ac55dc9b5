from django import template
from django.contrib.contenttypes.models import ContentType

register = template.Library()

SESSION_KEY = "documents_typed"


def typed_key(content_type_id: int, object_id: int) -> str:
    return f"{content_type_id}-{object_id}"


@register.simple_tag(takes_context=True)
def upload_typed(context, subject) -> dict:
    """What was typed in a refused upload of this record (document type, note), once: the upload
    view redirects back to the page it came from and leaves it here."""
    request = context.get("request")
    if request is None or subject is None or getattr(subject, "pk", None) is None:
        return {}
    typed = request.session.get(SESSION_KEY)
    key = typed_key(ContentType.objects.get_for_model(subject).pk, subject.pk)
    if not typed or typed.get("key") != key:
        return {}
    del request.session[SESSION_KEY]
    return typed
