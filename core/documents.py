"""Uploaded documents: what may be accepted, judged by content, not by name.

Shared by every upload (assurance's evidence, a case's documents): each
caller passes its own size limit. A file's name and the browser's stated
type are whatever the uploader's computer says; only its bytes are
checked. Allowed: PDF (without scripts, launch actions or embedded files),
PNG and JPEG (that Pillow can read as that format), Word and Excel files
(.docx, .xlsx: the Office Open XML zip, without macros, within a bounded
unpacked size) and plain UTF-8 text (.txt, .csv). Programs (Windows, Linux
and macOS executables, scripts starting ``#!``) are refused naming what
they are, whatever the file is called. Anything else, or anything larger
than the caller's ``max_bytes``, is refused with a message saying why. The
stored name is the uploaded name's stem with the extension of the type
found, so a download never claims another type. ADRs 0021 and 0024.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from dataclasses import dataclass

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

# PDF features that run or carry something: refused. Matched as whole PDF
# names (a name ends at whitespace or a delimiter), after ``#xx`` escapes in
# names are decoded (``/J#53`` is ``/JS``), in the file's objects outside its
# streams and inside its object streams (where PDF 1.5 files keep most of
# their dictionaries, compressed). Other streams (page content, fonts,
# images) are data, not dictionaries: random bytes there that spell ``/JS``
# are not a script, and refusing them refused some of the product's own
# letters (their embedded font).
_PDF_ACTIVE = re.compile(
    rb"/(?:JavaScript|JS|Launch|EmbeddedFile|EmbeddedFiles|RichMedia|XFA)(?=[\s/<>\[\]()%{}]|$)"
)
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
# An object stream inflating to more than this is refused (a "zip bomb").
_PDF_OBJSTM_MAX = 50 * 1024 * 1024
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


def size_text(size: int) -> str:
    return f"{size // 1024} KB" if size < 1024 * 1024 else f"{size / (1024 * 1024):.1f} MB"


def document_check(*, name: str, data: bytes, max_bytes: int) -> CheckedDocument:
    """``data`` as an allowed document of at most ``max_bytes``, or ``DocumentRefused``."""
    if not data:
        raise DocumentRefused("The file is empty.")
    if len(data) > max_bytes:
        raise DocumentRefused(
            f"The file is {size_text(len(data))}; the largest allowed is {size_text(max_bytes)}."
        )
    _refuse_programs(data)
    content_type = _sniff(data)
    return CheckedDocument(
        name=_safe_name(name, content_type), content_type=content_type, data=data
    )


# Signatures of programs, and what to call each in the refusal.
_PROGRAMS = (
    (b"MZ", "a Windows program (.exe or .dll)"),
    (b"\x7fELF", "a Linux program (ELF)"),
    (b"\xfe\xed\xfa\xce", "a macOS program (Mach-O)"),
    (b"\xfe\xed\xfa\xcf", "a macOS program (Mach-O)"),
    (b"\xce\xfa\xed\xfe", "a macOS program (Mach-O)"),
    (b"\xcf\xfa\xed\xfe", "a macOS program (Mach-O)"),
    (b"\xca\xfe\xba\xbe", "a macOS or Java program"),
    (b"#!", "a script (it starts with #!)"),
)


def _refuse_programs(data: bytes) -> None:
    """A program is refused saying what it is, so "statement.pdf" holding an
    .exe is not reported as merely an unknown type. The byte-order mark is
    skipped: a script saved with one still runs."""
    head = data.removeprefix(b"\xef\xbb\xbf")
    for signature, what in _PROGRAMS:
        if head.startswith(signature):
            raise DocumentRefused(
                f"The file is {what}, not a document, whatever its name says. "
                f"Programs are never accepted; upload a {ALLOWED_TEXT} file."
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
    if any(_PDF_ACTIVE.search(_pdf_names(part)) for part in _pdf_dictionaries(data)):
        raise DocumentRefused(
            "The PDF contains scripts, actions or attached files; print it to a plain PDF first."
        )
    return PDF


def _pdf_names(part: bytes) -> bytes:
    """``part`` with ``#xx`` escapes decoded, so an escaped name is seen as what it names."""
    return _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), part)


def _pdf_dictionaries(data: bytes) -> list[bytes]:
    """Where a PDF's dictionaries are: everything outside its streams, and
    each object stream's inflated contents. An object stream that cannot be
    inflated (a filter other than Flate, or damaged) cannot be checked, so
    the file is refused."""
    parts: list[bytes] = []
    last = 0
    for match in _PDF_STREAM.finditer(data):
        head = data[last : match.start()]
        parts.append(head)
        last = match.end()
        # The stream's own dictionary: from its object's "obj" keyword on.
        if b"/ObjStm" in _pdf_names(head[head.rfind(b"obj") + 1 :]):
            parts.append(_inflate_object_stream(match.group(1)))
    parts.append(data[last:])
    return parts


def _inflate_object_stream(raw: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(raw, _PDF_OBJSTM_MAX)
    except zlib.error as exc:
        raise DocumentRefused(
            "The PDF has compressed parts that cannot be checked; print it to a plain PDF first."
        ) from exc
    if inflater.unconsumed_tail:
        raise DocumentRefused("The PDF unpacks to too much data to be a document.")
    return out


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
