"""Evidence documents: what may be uploaded, judged by content, not by name.

A file's name and the browser's stated type are whatever the uploader's
computer says; only its bytes are checked. Allowed: PDF (without scripts,
launch actions or embedded files), PNG and JPEG (that Pillow can read as
that format), Word and Excel files (.docx, .xlsx: the Office Open XML zip,
without macros, within a bounded unpacked size) and plain UTF-8 text (.txt,
.csv). Anything else, or anything larger than ``max_bytes()``, is refused
with a message saying why. The stored name is the uploaded name's stem with
the extension of the type found, so a download never claims another type.
ADR 0021.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings

# Never more than this, whatever the request limit.
CAP_BYTES = 5 * 1024 * 1024
# Room left in the request for the rest of the form.
FORM_ROOM_BYTES = 64 * 1024
# A .docx or .xlsx unpacking to more than this is refused (a "zip bomb").
UNPACKED_MAX_BYTES = 50 * 1024 * 1024
NAME_MAX = 120

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = "text/plain"
EXTENSIONS = {PDF: "pdf", PNG: "png", JPEG: "jpg", DOCX: "docx", XLSX: "xlsx", TEXT: "txt"}
ALLOWED_TEXT = "PDF, PNG, JPEG, Word (.docx), Excel (.xlsx) or plain text"

# PDF features that run or carry something: refused.
_PDF_ACTIVE = (b"/JavaScript", b"/JS", b"/Launch", b"/EmbeddedFile", b"/RichMedia", b"/XFA")
_TEXT_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()-]+")


class DocumentRefused(ValueError):
    """The upload is not an allowed document; ``str()`` says why, for the uploader."""


@dataclass(frozen=True)
class CheckedDocument:
    name: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def max_bytes() -> int:
    """The largest document accepted: under the request body limit
    (``FTP_REQUEST_BODY_MAX_MB``, which refuses bigger requests with 413
    before they are read), with room for the form, and never over 5 MB."""
    limit: int = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return max(1024, min(CAP_BYTES, limit - FORM_ROOM_BYTES))


def size_text(size: int) -> str:
    return f"{size // 1024} KB" if size < 1024 * 1024 else f"{size / (1024 * 1024):.1f} MB"


def document_check(*, name: str, data: bytes) -> CheckedDocument:
    """``data`` as an allowed document, or ``DocumentRefused``."""
    if not data:
        raise DocumentRefused("The file is empty.")
    if len(data) > max_bytes():
        raise DocumentRefused(
            f"The file is {size_text(len(data))}; the largest allowed is {size_text(max_bytes())}. "
            "Link to larger evidence from the evidence text instead."
        )
    content_type = _sniff(data)
    return CheckedDocument(
        name=_safe_name(name, content_type), content_type=content_type, data=data
    )


def _sniff(data: bytes) -> str:
    if data.startswith(b"%PDF-"):
        return _pdf(data)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _image(data, "PNG", PNG)
    if data.startswith(b"\xff\xd8\xff"):
        return _image(data, "JPEG", JPEG)
    if data.startswith(b"PK\x03\x04"):
        return _office(data)
    return _text(data)


def _pdf(data: bytes) -> str:
    if b"%%EOF" not in data[-2048:]:
        raise DocumentRefused("The PDF is incomplete or damaged.")
    if any(marker in data for marker in _PDF_ACTIVE):
        raise DocumentRefused(
            "The PDF contains scripts, actions or attached files; print it to a plain PDF first."
        )
    return PDF


def _image(data: bytes, expected: str, content_type: str) -> str:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            found = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise DocumentRefused("The image cannot be read; it may be damaged.") from exc
    except Image.DecompressionBombError as exc:
        raise DocumentRefused("The image is too large to open safely.") from exc
    if found != expected:
        raise DocumentRefused("The image is not the type its content first claims.")
    return content_type


def _office(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            infos = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DocumentRefused("The file looks like a zip but cannot be opened.") from exc
    names = {info.filename for info in infos}
    if sum(info.file_size for info in infos) > UNPACKED_MAX_BYTES:
        raise DocumentRefused("The file unpacks to too much data to be a document.")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise DocumentRefused("The file contains macros; save it without macros first.")
    if "[Content_Types].xml" in names and "word/document.xml" in names:
        return DOCX
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return XLSX
    raise DocumentRefused(f"Only {ALLOWED_TEXT} files are allowed.")


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentRefused(f"Only {ALLOWED_TEXT} files are allowed.") from exc
    if _TEXT_CONTROLS.search(text):
        raise DocumentRefused(f"Only {ALLOWED_TEXT} files are allowed.")
    return TEXT


def _safe_name(name: str, content_type: str) -> str:
    """The uploaded name's stem, in safe characters, with the type's extension."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _NAME_UNSAFE.sub("-", stem).strip(" .-")[: NAME_MAX - 6] or "evidence"
    return f"{stem}.{EXTENSIONS[content_type]}"
