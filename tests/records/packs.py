"""Reading a subject access pack back: its files, its CSV rows and its cover's text."""

from __future__ import annotations

import csv
import io
import re
import zipfile

# A text-showing operator of an uncompressed PDF content stream: "(text) Tj".
_SHOWN = re.compile(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", re.S)
_ESCAPE = re.compile(rb"\\(.)", re.S)


def files(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rows(content: bytes, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files(content)[name].decode("utf-8"))))


def header(content: bytes, name: str) -> list[str]:
    return next(csv.reader(io.StringIO(files(content)[name].decode("utf-8"))))


def pdf_text(pdf: bytes) -> str:
    """The text an uncompressed PDF shows, line by line joined by spaces (so a
    name wrapped over two lines still reads as written)."""
    assert b"/FlateDecode" not in pdf, "the cover must be uncompressed to be read back"
    shown = [_ESCAPE.sub(rb"\1", m.group(1)).decode("latin-1") for m in _SHOWN.finditer(pdf)]
    return " ".join(shown)


def every_text(content: bytes) -> str:
    """Every file of the pack as text: the CSVs as written, the cover's text layer."""
    out = []
    for name, data in files(content).items():
        out.append(pdf_text(data) if name.endswith(".pdf") else data.decode("utf-8"))
    return "\n".join(out)
