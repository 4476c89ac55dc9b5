from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import access
from .forms import UploadForm
from .models import Attachment
from .services import attachment_add
from .templatetags.documents_tags import SESSION_KEY, typed_key

INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif"}


def _subject_or_404(content_type_id: int, object_id: int):
    content_type = get_object_or_404(ContentType, pk=content_type_id)
    model = content_type.model_class()
    if model is None:
        raise Http404
    return get_object_or_404(model, pk=object_id)


@login_required
def download(request, pk: int):
    """The only way to a stored file: the owning record must be visible to the user. A file the
    user may not see answers 404, the same as one that does not exist."""
    attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
    subject = attachment.subject
    if subject is None or not access.can_view(request.user, subject):
        raise Http404
    inline = request.GET.get("inline") == "1" and attachment.mime in INLINE_TYPES
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.original_name,
        content_type=attachment.mime,
    )


@login_required
@require_POST
def upload(request, content_type_id: int, object_id: int):
    subject = _subject_or_404(content_type_id, object_id)
    if not access.can_view(request.user, subject):
        raise Http404
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, f"上传失败：{error}")
        return _refused(request, content_type_id, object_id, back)
    try:
        attachment = attachment_add(
            subject=subject,
            doc_type=form.cleaned_data["doc_type"],
            upload=form.cleaned_data["file"],
            note=form.cleaned_data["note"],
            actor=request.user,
        )
    except ValidationError as exc:
        messages.error(request, f"上传失败：{'；'.join(exc.messages)}")
        return _refused(request, content_type_id, object_id, back)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return _refused(request, content_type_id, object_id, back)
    messages.success(request, f"已上传{attachment.doc_type.name}（第 {attachment.version} 版）")
    return redirect(back)


def _refused(request, content_type_id: int, object_id: int, back: str):
    """Back to the page, which shows the document type and note as typed (a browser never keeps
    a chosen file, so the message asks for it again)."""
    request.session[SESSION_KEY] = {
        "key": typed_key(content_type_id, object_id),
        "doc_type": request.POST.get("doc_type", ""),
        "note": request.POST.get("note", ""),
    }
    messages.info(request, "文档类型与说明已保留，请重新选择文件")
    return redirect(back)
