"""Uploads are judged by their bytes, never by their name: allowed types pass
with the extension of what they are; programs are refused saying what they
are; anything else, anything active and anything too big is refused with a
reason (``core.documents``, shared by assurance and case documents)."""

from __future__ import annotations

import io
import re
import zipfile
import zlib

import pytest
from PIL import Image

from core.documents import DOCX, JPEG, PDF, PNG, TEXT, XLSX, DocumentRefused
from core.documents import document_check as check

LIMIT = 1024 * 1024


def document_check(*, name: str, data: bytes):
    return check(name=name, data=data, max_bytes=LIMIT)


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


def test_a_document_over_the_limit_is_refused():
    check(name="big.txt", data=b"a" * 100, max_bytes=100)
    with pytest.raises(DocumentRefused, match="the largest allowed is 0 KB"):
        check(name="big.txt", data=b"a" * 101, max_bytes=100)


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(range(256))


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (EXE, "a Windows program"),
        (b"\x7fELF\x02\x01\x01" + bytes(64), "a Linux program"),
        (b"\xcf\xfa\xed\xfe" + bytes(64), "a macOS program"),
        (b"\xfe\xed\xfa\xce" + bytes(64), "a macOS program"),
        (b"\xca\xfe\xba\xbe" + bytes(64), "a macOS or Java program"),
        (b"#!/bin/sh\nrm -rf ~\n", "a script"),
        (b"\xef\xbb\xbf#!/usr/bin/env python\nprint(1)\n", "a script"),
    ],
)
def test_a_program_named_as_a_document_is_refused_saying_what_it_is(data, what):
    with pytest.raises(DocumentRefused, match=re.escape(f"The file is {what}")) as refused:
        document_check(name="statement.pdf", data=data)
    assert "not a document, whatever its name says" in str(refused.value)
    assert "Programs are never accepted" in str(refused.value)


def test_a_text_file_mentioning_mz_later_is_still_text():
    assert document_check(name="notes.txt", data=b"Ward MZ rota\n").content_type == TEXT


def _pdf(*objects: bytes) -> bytes:
    return b"%PDF-1.5\n" + b"\n".join(objects) + b"\ntrailer <<>>\n%%EOF\n"


def _stream(dictionary: bytes, content: bytes) -> bytes:
    return b"5 0 obj " + dictionary + b"\nstream\n" + content + b"\nendstream\nendobj"


def test_bytes_in_a_font_or_page_stream_that_spell_a_name_are_data_not_a_script():
    font = _stream(b"<</Length 20 /Filter /FlateDecode>>", b"\x8a/JS \x00\x12/XFA(\x99")
    checked = document_check(name="letter.pdf", data=_pdf(font))
    assert checked.content_type == PDF


@pytest.mark.parametrize(
    "objects",
    [
        # In an object stream, compressed, where PDF 1.5 keeps its dictionaries.
        (
            _stream(
                b"<</Type /ObjStm /N 1 /First 4 /Filter /FlateDecode>>",
                zlib.compress(b"7 0 <</S /JavaScript /JS (app.alert(1))>>"),
            ),
        ),
        # A name written with #xx escapes: /J#53 is /JS.
        (b"1 0 obj <</OpenAction <</S /J#61vaScript /J#53 (x)>> >> endobj",),
        # A long dictionary before the object stream's data does not hide it.
        (
            _stream(
                b"<</Type /ObjStm /Pad (" + b"x" * 4000 + b") /Filter /FlateDecode>>",
                zlib.compress(b"<</Launch /F (cmd.exe)>>"),
            ),
        ),
    ],
)
def test_scripts_hidden_in_object_streams_or_escaped_names_are_refused(objects):
    with pytest.raises(DocumentRefused, match="scripts"):
        document_check(name="statement.pdf", data=_pdf(*objects))


def test_an_object_stream_that_cannot_be_inflated_is_refused():
    damaged = _stream(b"<</Type /ObjStm /Filter /ASCIIHexDecode>>", b"3C3C2F4A533E3E")
    with pytest.raises(DocumentRefused, match="cannot be checked"):
        document_check(name="statement.pdf", data=_pdf(damaged))
