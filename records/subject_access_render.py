"""A subject access pack's files: a cover PDF and one CSV per kind of record, zipped.

The ZIP's entries are written in a fixed order with the pack's production
time as their date, so the same records produce the same files. The cover
is a PDF with a real text layer (core font, uncompressed: a few hundred
words) that any reader, or a search, can read back.

CSV cells are guarded against formulas as the audit exports are
(``audit.exports.csv_safe``): free text starting with ``=`` stays text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone
from fpdf import FPDF

from audit.exports import csv_safe

from .subject_access_cases import Row
from .subject_access_collect import FILES, Held
from .subject_access_redact import REVIEW, Redaction

COVER = "cover.pdf"


@dataclass(frozen=True)
class Cover:
    """What the cover page says about the pack."""

    subject: str  # the requester's name and staff number
    request_reference: str
    produced_at: dt.datetime
    produced_by: str
    counts: dict[str, int]
    rules: list[str]


def csv_bytes(header: Sequence[str], rows: Sequence[Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_safe(value) for value in row])
    return out.getvalue().encode("utf-8")


def _pdf_text(text: str) -> str:
    """``text`` in the core font's Latin-1: a letter outside it loses its
    accent, else becomes ``?`` (the CSVs, in UTF-8, keep every letter)."""
    out = []
    for char in text:
        if ord(char) < 256:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char).encode("latin-1", "ignore").decode("latin-1")
        out.append(base or "?")
    return "".join(out)


def cover_pdf(cover: Cover) -> bytes:
    pdf = FPDF()
    pdf.set_compression(False)  # a real, searchable text layer
    pdf.set_creation_date(cover.produced_at)
    pdf.set_title("Subject access pack")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()

    def heading(text: str) -> None:
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 8, _pdf_text(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)

    def line(text: str) -> None:
        pdf.multi_cell(0, 5.5, _pdf_text(text), new_x="LMARGIN", new_y="NEXT")

    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 10, "Subject access pack", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    line(f"For: {cover.subject}")
    line(f"Request reference: {cover.request_reference}")
    line(f"Produced: {timezone.localtime(cover.produced_at):%d %B %Y at %H:%M}")
    line(f"Produced by: {cover.produced_by}")
    line(
        "This pack answers a request under Article 15 of the UK GDPR for the personal data "
        "the Fair Treatment Panel case system holds about you."
    )
    heading("What is included")
    if not any(count for name, count in cover.counts.items() if name != "employee_record.csv"):
        line(
            "The system holds no cases, notifications or access-log entries about you: "
            "only your employee record, which is included."
        )
    for name, count in cover.counts.items():
        line(f"{name}: {count} row{'s' if count != 1 else ''}")
    heading("How other people are shown")
    for rule in cover.rules:
        line(f"- {rule}")
    heading("Fields reviewed by HR before release")
    line(
        "Free text written by staff cannot be checked for other people's names by the system. "
        "HR reads these fields and redacts by hand before the pack is released:"
    )
    for file, column, what in REVIEW:
        line(f"- {file}, column {column}: {what}")
    return bytes(pdf.output())


def pack_zip(held: Held, cover: Cover) -> bytes:
    """The pack: the cover, each CSV in ``FILES`` order, then the case file's documents."""
    stamp = timezone.localtime(cover.produced_at).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = [(COVER, cover_pdf(cover))] + [
            (name, csv_bytes(header, held.rows[name])) for name, header in FILES.items()
        ]
        # The case file's documents, as they were uploaded (case_file.csv lists them).
        entries += [(packed.path, packed.read()) for packed in held.files]
        for name, content in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return out.getvalue()


def cover_for(
    held: Held,
    redaction: Redaction,
    *,
    request_reference: str,
    produced_at: dt.datetime,
    produced_by: str,
) -> Cover:
    employee = held.employee
    return Cover(
        subject=f"{employee.name} (staff number {employee.staff_number})",
        request_reference=request_reference,
        produced_at=produced_at,
        produced_by=produced_by,
        counts=held.counts(),
        rules=redaction.rules(),
    )
