"""Evidence documents for assurance answers: the content check is
``core.documents`` (shared with case documents); assurance keeps its own
size limit, since its documents are stored in the database (ADR 0021).
"""

from __future__ import annotations

from django.conf import settings

from core import documents as core_documents
from core.documents import (
    ALLOWED_TEXT,
    DOCX,
    EXTENSIONS,
    JPEG,
    PDF,
    PNG,
    TEXT,
    XLSX,
    CheckedDocument,
    DocumentRefused,
    size_text,
)

__all__ = [
    "ALLOWED_TEXT",
    "CAP_BYTES",
    "DOCX",
    "EXTENSIONS",
    "FORM_ROOM_BYTES",
    "JPEG",
    "PDF",
    "PNG",
    "TEXT",
    "XLSX",
    "CheckedDocument",
    "DocumentRefused",
    "document_check",
    "max_bytes",
    "size_text",
]

# Never more than this, whatever the request limit: the bytes live in a database row.
CAP_BYTES = 5 * 1024 * 1024
# Room left in the request for the rest of the form.
FORM_ROOM_BYTES = 64 * 1024


def max_bytes() -> int:
    """The largest document accepted: under the request body limit
    (``FTP_REQUEST_BODY_MAX_MB``, which refuses bigger requests with 413
    before they are read), with room for the form, and never over 5 MB."""
    limit: int = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return max(1024, min(CAP_BYTES, limit - FORM_ROOM_BYTES))


def document_check(*, name: str, data: bytes) -> CheckedDocument:
    """``data`` as an allowed evidence document, or ``DocumentRefused``."""
    try:
        return core_documents.document_check(name=name, data=data, max_bytes=max_bytes())
    except DocumentRefused as exc:
        if len(data) > max_bytes():
            raise DocumentRefused(
                f"{exc} Link to larger evidence from the evidence text instead."
            ) from exc
        raise
