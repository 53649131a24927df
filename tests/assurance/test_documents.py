"""Evidence uploads are judged by their bytes, never by their name: allowed
types pass with the extension of what they are; anything else, anything
active and anything too big is refused with a reason."""

from __future__ import annotations

import io
import zipfile

import pytest
from PIL import Image

from assurance.documents import (
    DOCX,
    JPEG,
    PDF,
    PNG,
    TEXT,
    XLSX,
    DocumentRefused,
    document_check,
    max_bytes,
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n"


def image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format=fmt)
    return out.getvalue()


def office(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        for name in names:
            book.writestr(name, "<xml/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "content_type", "stored"),
    [
        ("minutes.pdf", PDF_BYTES, PDF, "minutes.pdf"),
        ("photo.PNG", image("PNG"), PNG, "photo.png"),
        ("scan.jpeg", image("JPEG"), JPEG, "scan.jpg"),
        ("report.docx", office("[Content_Types].xml", "word/document.xml"), DOCX, "report.docx"),
        ("figures.xlsx", office("[Content_Types].xml", "xl/workbook.xml"), XLSX, "figures.xlsx"),
        ("notes.txt", b"Training: 14 of 16 done.\r\n", TEXT, "notes.txt"),
        # The type is what the bytes are, whatever the name says.
        ("minutes.exe", PDF_BYTES, PDF, "minutes.pdf"),
        ("..\\..\\etc/pass wd<script>.html", b"plain words", TEXT, "pass wd-script.txt"),
    ],
)
def test_allowed_documents_pass_with_the_type_they_are(name, data, content_type, stored):
    checked = document_check(name=name, data=data)
    assert (checked.content_type, checked.name) == (content_type, stored)
    assert checked.size == len(data)
    assert len(checked.sha256) == 64


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)), "Only PDF"),
        (b"%PDF-1.4\n<</S /JavaScript /JS (app.alert(1))>>\n%%EOF", "scripts"),
        (b"%PDF-1.4\n<</Type /EmbeddedFile>>\n%%EOF", "scripts"),
        (b"%PDF-1.4\nno end", "incomplete"),
        (b"\x89PNG\r\n\x1a\n" + b"not really a png", "cannot be read"),
        (office("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin"), "macros"),
        (office("payload.sh"), "Only PDF"),
        (b"PK\x03\x04broken zip", "cannot be opened"),
        (b"text with a NUL \x00 in it", "Only PDF"),
        ("caf\u00e9".encode("latin-1"), "Only PDF"),
    ],
)
def test_other_content_is_refused_with_a_reason(data, reason):
    with pytest.raises(DocumentRefused, match=reason):
        document_check(name="evidence.pdf", data=data)


def test_a_document_over_the_limit_is_refused(settings):
    limit = max_bytes()
    assert limit < settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # room for the rest of the form
    document_check(name="big.txt", data=b"a" * limit)
    with pytest.raises(DocumentRefused, match="the largest allowed"):
        document_check(name="big.txt", data=b"a" * (limit + 1))
