"""The CSV import toolkit: how every all-or-nothing file import reads, checks and refuses.

Every import (org units, employees, the panel pool, headcounts, history) keeps
the same contract, so a trust's administrator learns it once:

1. **Read.** ``read_csv(text, COLUMNS, errors)`` checks the header (case and
   spacing of column names do not matter, order is free, a missing, unknown or
   repeated column is refused at once) and returns ``Row`` objects with
   stripped values and their physical line numbers (header = line 1; blank
   lines and Excel's ``,,,`` rows are skipped but still counted).
2. **Check every row**, collecting *every* problem into one ``RowErrors``
   with ``errors.add(row, column, message)`` rather than stopping at the first:
   the person fixing the file wants the whole list. ``unique_rows`` indexes
   rows by their key column, ``check_text`` checks required cells and lengths
   (``max_length`` reads a limit from the model, so the two never disagree).
   A check may normalise a cell in place (``row.values[column] = ...``) so the
   write sees the clean value.
3. **Refuse or write.** If ``errors`` is not empty, ``raise
   ImportFailed(errors)`` having written nothing; otherwise write the whole
   file in the same transaction as the checks (so what was checked is what is
   written) and return an ``ImportResult`` (or the importer's own result).

A typical importer::

    def things_import(*, text: str) -> ImportResult:
        errors = RowErrors()
        rows = read_csv(text, THING_COLUMNS, errors)
        with transaction.atomic():
            by_code = unique_rows(rows, "code", errors)
            for row in rows:
                check_text(row, errors, required=["name"], limits={"name": 80})
            if errors:
                raise ImportFailed(errors)
            return _write(by_code)

Messages name the column and the rule, never the refused value unless it is a
code or a key (some files carry special-category data such as ethnicity).
``comma_list`` and ``a_or_an`` keep the wording of every importer alike.

The management commands that run these importers share ``core.csv_command``.
This module imports only Django and the standard library: it sits at the
bottom of the layers, under every app that imports a file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from django.db import models

from core.errors import DomainError


class RowError(NamedTuple):
    """One problem in a file: where it is (line, and column unless the whole line is at
    fault) and what is wrong, worded to follow "line 4, kind: "."""

    line: int
    column: str | None  # None when the whole line is at fault
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, {self.column}" if self.column else f"line {self.line}"
        return f"{where}: {self.message}"


class ImportFailed(DomainError):
    """The file was rejected whole; ``errors`` lists every problem in line order.

    A repeated error is listed once. Commands print ``errors`` one a line and
    exit with ``message``; a page shows them the same way.
    """

    def __init__(self, errors: Iterable[RowError]) -> None:
        self.errors = sorted(set(errors), key=lambda e: (e.line, e.column or "", e.message))
        n = len(self.errors)
        super().__init__(f"Nothing was imported: {n} error{'' if n == 1 else 's'}.")


@dataclass(frozen=True)
class ImportResult:
    """What an import of keyed rows did: rows new to the database, and rows it updated."""

    created: int
    updated: int

    @property
    def total(self) -> int:
        return self.created + self.updated


@dataclass
class Row:
    """One line of the file: its physical line number and its stripped cells by column.

    ``row["name"]`` reads a cell; a check that normalises a value writes it
    back to ``row.values`` so the write stores what was checked.
    """

    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]


class RowErrors(list[RowError]):
    """Every problem found so far. Checks add to it and carry on, so one run lists them all."""

    def add(self, at: Row | int, column: str | None, message: str) -> None:
        """Record ``message`` about ``column`` (None: the whole line) of a row or a line number."""
        self.append(RowError(at if isinstance(at, int) else at.line, column, message))


def read_csv(
    text: str, columns: tuple[str, ...], errors: RowErrors, *, optional: tuple[str, ...] = ()
) -> list[Row]:
    """Rows with stripped values, keyed by the lower-cased column names of the header.

    ``optional`` columns may be left out of the header; a row then has no
    value for them (``column in row.values`` is false), so an import can
    leave what they hold alone rather than blank it.

    Header problems are reported once, on line 1, and end the import at once
    (raising ImportFailed): checking rows against a wrong header would only
    bury the one real mistake under a copy per row. A line with the wrong
    number of values, or that cannot be parsed, is added to ``errors`` and the
    rest of the file is still read, so its rows can be checked too.
    """
    # Excel's "CSV UTF-8" starts with a byte-order mark that a utf-8 decode keeps.
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = [name.strip().lower() for name in next(reader, [])]
    if not any(header):
        message = f"the file is empty; line 1 must name the columns {comma_list(columns)}."
        errors.add(1, None, message)
    else:
        check_header(header, columns, errors, optional=optional)
    if errors:
        raise ImportFailed(errors)
    rows: list[Row] = []
    last_line = reader.line_num
    try:
        for cells in reader:
            # line_num counts physical lines, so a quoted line break keeps numbers true.
            line, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank lines, and the ",,,," rows Excel leaves behind
            if len(cells) != len(header):
                errors.add(line, None, f"has {len(cells)} values; the header has {len(header)}.")
                continue
            rows.append(Row(line, {h: c.strip() for h, c in zip(header, cells, strict=True)}))
    except csv.Error as exc:
        errors.add(last_line + 1, None, f"cannot be read as CSV ({exc}).")
    return rows


def check_header(
    header: list[str],
    columns: tuple[str, ...],
    errors: RowErrors,
    *,
    optional: tuple[str, ...] = (),
) -> None:
    """Add an error on line 1 for each missing, unknown or repeated column of ``header``.

    ``header`` is already stripped and lower-cased; the order of the columns is
    free; ``optional`` columns may be missing.
    """
    for column in columns:
        if column not in header:
            message = f"this column is missing; the header must name {comma_list(columns)}."
            errors.add(1, column, message)
    expected = comma_list(columns) + (
        f" (and optionally {comma_list(optional)})" if optional else ""
    )
    for position, name in enumerate(header):
        if name not in columns and name not in optional:
            label = name or f"column {position + 1}"
            errors.add(1, label, f"is not a column of this file; expected {expected}.")
        elif header.index(name) != position:
            errors.add(1, name, "this column appears more than once.")


def unique_rows(rows: list[Row], key: str, errors: RowErrors) -> dict[str, Row]:
    """Index rows by ``key``; a blank or repeated key is an error and left out.

    A repeated key names the line it first appeared on, and the first row
    keeps the key, so later checks still see one row for it.
    """
    first: dict[str, Row] = {}
    for row in rows:
        value = row[key]
        if not value:
            errors.add(row, key, "is required.")
        elif value in first:
            errors.add(row, key, f"{value} is also on line {first[value].line}.")
        else:
            first[value] = row
    return first


def check_text(
    row: Row, errors: RowErrors, *, required: Iterable[str], limits: Mapping[str, int]
) -> None:
    """Add an error for each ``required`` cell left blank and each cell longer than its limit."""
    for column in required:
        if not row[column]:
            errors.add(row, column, "is required.")
    for column, limit in limits.items():
        if len(row[column]) > limit:
            errors.add(row, column, f"is longer than {limit} characters.")


def check_date(
    row: Row, column: str, errors: RowErrors, *, not_after: dt.date | None = None
) -> dt.date | None:
    """The cell as a date: ISO (2025-03-31) or the UK day-first form Excel
    writes (31/03/2025), normalised to ISO in ``row.values``; an error for a
    blank cell, anything else, or a date after ``not_after``."""
    value = row[column]
    if not value:
        errors.add(row, column, "is required.")
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
        if not_after is not None and day > not_after:
            errors.add(row, column, "is in the future.")
            return None
        row.values[column] = day.isoformat()
        return day
    errors.add(row, column, "is not a date; write it as YYYY-MM-DD (or DD/MM/YYYY).")
    return None


def max_length(model: type[models.Model], name: str) -> int:
    """The ``max_length`` of a CharField, so a file is checked against what the column holds."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.CharField) or field.max_length is None:
        raise TypeError(f"{model.__name__}.{name} is not a CharField with a max_length")
    return field.max_length


def comma_list(values: Iterable[str]) -> str:
    """``a, b, c``: how messages list the columns or codes a cell may take."""
    return ", ".join(values)


def a_or_an(noun: str) -> str:
    """``an icsu``, ``a trust``: the article for a lower-case word from the file."""
    return f"an {noun}" if noun.startswith(tuple("aeiou")) else f"a {noun}"
