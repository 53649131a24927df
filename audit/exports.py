"""CSV and XLSX renderings of audit events, in bounded memory.

Rows are read from the database a chunk at a time. CSV is streamed as it is
written; XLSX is written row by row by openpyxl's write-only mode into a
temporary file, then sent. No ethnic category is ever in an event (its
showings record the field's name, not its value), so none reaches an export.

Spreadsheets run formulas: a cell of someone's free text beginning with
``=`` (or ``+ - @``) is written so it stays text, never a formula.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from .models import AuditEvent

HEADER = (
    "seq",
    "at",
    "case",
    "actor",
    "event",
    "from_stage",
    "to_stage",
    "reason",
    "payload",
    "hash",
)
CHUNK = 2000
# An XLSX sheet holds 1,048,576 rows, one of them the header.
XLSX_MAX_ROWS = 1_048_575
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def event_rows(events: QuerySet[AuditEvent]) -> Iterator[tuple[Any, ...]]:
    """One tuple of text and numbers per event, in ``seq`` order (any pending
    events last, by id, with no seq: ADR 0016)."""
    ordering = (F("seq").asc(nulls_last=True), "id")
    qs = events.select_related("case", "actor").order_by(*ordering)
    for e in qs.iterator(chunk_size=CHUNK):
        yield (
            e.seq,
            timezone.localtime(e.at).isoformat(),
            e.case.reference if e.case else "",
            e.actor.username if e.actor else "",
            e.action,
            e.from_stage,
            e.to_stage,
            # The reason as the exporter may read it (workflow.audit_selectors.event_search,
            # access.EventReasonVisible); blank for rows not read through it.
            getattr(e, "shown_reason", ""),
            json.dumps(e.payload, cls=DjangoJSONEncoder, sort_keys=True),
            e.hash,
        )


class _Echo:
    """A file-like object whose write returns the line, for streaming csv."""

    def write(self, value: str) -> str:
        return value


def csv_safe(value: Any) -> Any:
    """``value`` as a spreadsheet will read it as text, never run it as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_lines(rows: Iterable[tuple[Any, ...]], header: tuple[str, ...] = HEADER) -> Iterator[str]:
    """The CSV text of ``header`` and ``rows``, a line at a time, formula-safe."""
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([csv_safe(v) for v in row])


def xlsx_file(
    rows: Iterable[tuple[Any, ...]],
    header: tuple[str, ...] = HEADER,
    title: str = "Audit events",
) -> IO[bytes]:
    """A temporary .xlsx file (rewound) holding the rows under ``header`` on
    a sheet called ``title``; every text cell stays text. Closing it deletes it."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    # Not a with-block: the response sends it, then closes (and so deletes) it.
    out = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    workbook.save(out)
    out.seek(0)
    return out


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    # Control characters are not allowed in XLSX at all.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"  # text, even when it starts with "="
    return cell
