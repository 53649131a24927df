"""A letterhead's logo: a PNG or JPEG, judged by its content, at most 512 KB.

The bytes are checked as case documents are (``core.documents.document_check``:
by content, never by the name or the browser's stated type), then must be
one of the two image types fpdf2 draws as they are.
"""

from __future__ import annotations

from core.documents import JPEG, PNG, DocumentRefused, document_check

LOGO_MAX_BYTES = 512 * 1024
TYPES = (PNG, JPEG)


class LogoRefused(ValueError):
    """Not an acceptable logo; ``str()`` says why, for the person uploading it."""


def logo_check(data: bytes) -> str:
    """The content type of ``data`` if it is an acceptable logo; else ``LogoRefused``."""
    try:
        checked = document_check(name="logo", data=data, max_bytes=LOGO_MAX_BYTES)
    except DocumentRefused as exc:
        raise LogoRefused(f"The logo was refused: {exc}") from exc
    if checked.content_type not in TYPES:
        raise LogoRefused("The logo must be a PNG or JPEG image.")
    return checked.content_type
