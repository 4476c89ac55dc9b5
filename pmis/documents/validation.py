"""Upload checks: a size limit and an allow-list of types, judged by the file's content."""

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # legacy .doc / .xls / .ppt

# detected type -> (mime, extensions the name may carry)
_BINARY_TYPES: dict[str, tuple[str, set[str]]] = {
    "pdf": ("application/pdf", {".pdf"}),
    "png": ("image/png", {".png"}),
    "jpg": ("image/jpeg", {".jpg", ".jpeg"}),
    "gif": ("image/gif", {".gif"}),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", {".docx"}),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", {".xlsx"}),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", {".pptx"}),
    "zip": ("application/zip", {".zip", ".docx", ".xlsx", ".pptx"}),
    "rar": ("application/vnd.rar", {".rar"}),
    "7z": ("application/x-7z-compressed", {".7z"}),
    "ole": ("application/x-ole-storage", {".doc", ".xls", ".ppt"}),
}
_TEXT_EXTENSIONS = {".txt", ".csv", ".md", ".log", ".xml", ".json"}
# Licence files (产品授权文件) come in the vendor's own formats.
_LICENCE_EXTENSIONS = {".lic", ".license", ".dat", ".key"}
LICENCE_DOC_TYPE = "licence-file"

ALLOWED_DESCRIPTION = "PDF、Word、Excel、PowerPoint、图片（PNG/JPG/GIF）、压缩包（ZIP/RAR/7Z）、文本"


@dataclass(frozen=True)
class CheckedUpload:
    mime: str
    size: int
    sha256: str


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError:
            continue
    return False


def check_upload(upload, *, doc_type_code: str = "") -> CheckedUpload:
    """Raise ValidationError (in Chinese) unless the upload is within the size limit and its
    content is one of the allowed types, matching its extension."""
    limit_mb = settings.PMIS_UPLOAD_MAX_MB
    if upload.size == 0:
        raise ValidationError("文件为空，请重新选择")
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError(f"文件过大（{upload.size / 1024 / 1024:.1f} MB），单个文件不能超过 {limit_mb} MB")
    extension = PurePath(upload.name or "").suffix.lower()
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)

    kind = "ole" if head.startswith(OLE_MAGIC) else getattr(filetype.guess(head), "extension", None)
    mime: str | None = None
    if kind in _BINARY_TYPES:
        mime, extensions = _BINARY_TYPES[kind]
        if extension not in extensions:
            raise ValidationError(f"文件内容（{kind.upper()}）与扩展名“{extension or '无'}”不符，请检查文件")
    elif kind is None and extension in _TEXT_EXTENSIONS and _looks_like_text(head):
        mime = "text/plain"
    elif doc_type_code == LICENCE_DOC_TYPE and extension in _LICENCE_EXTENSIONS and kind is None:
        mime = "application/octet-stream"
    if mime is None:
        raise ValidationError(f"不支持的文件类型“{extension or kind or '未知'}”。允许上传：{ALLOWED_DESCRIPTION}")

    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(mime=mime, size=upload.size, sha256=digest.hexdigest())
