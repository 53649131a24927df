"""Load workforce headcounts and historical formal-investigation entries from CSV.

The same all-or-nothing contract as every import built on ``core.csv_import``
(whose CSV reading and error reporting this uses): every row is checked
first, every problem is reported by physical line number (header = line 1),
and only a file with no problems is written, in one transaction.

The file is the truth for each date it names: importing replaces every row
stored for those dates, so a corrected file can simply be loaded again.

Ethnic category codes are aggregate labels here (no person is named), but
an invalid code is still not echoed back, as in the staff imports.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from audit.models import EventType
from audit.services import audit_record
from core.csv_import import ImportFailed, Row, RowErrors, check_date, read_csv
from staff.importers import ETHNIC_CODES, normalise_ethnic_category
from staff.models import OrgUnit

from .early_warning_snapshot import early_warning_snapshots_drop
from .models import Headcount, HistoricalEntry

logger = logging.getLogger(__name__)

HEADCOUNT_COLUMNS = ("as_at", "org_unit", "ethnic_category", "headcount")
HISTORY_COLUMNS = ("date", "org_unit", "ethnic_category", "entered")
BATCH = 2000
# Progress is reported every this many rows checked or written.
PROGRESS_EVERY = 1000

# Called with (rows done, rows in all) as the import goes; checking and
# writing each count once, so "in all" is twice the rows.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class CountsImportResult:
    rows: int
    dates: int
    replaced: int  # rows stored before for the file's dates, now replaced


@dataclass(frozen=True)
class _Spec:
    kind: str
    columns: tuple[str, str, str, str]  # date, org unit, ethnic category, count
    model: type[Headcount] | type[HistoricalEntry]
    date_field: str
    count_field: str


HEADCOUNT = _Spec("headcount", HEADCOUNT_COLUMNS, Headcount, "as_at", "headcount")
HISTORY = _Spec("history", HISTORY_COLUMNS, HistoricalEntry, "date", "entered")
# Far above any trust's staff, far below the column's limit.
MAX_COUNT = 10_000_000


def headcount_import(*, text: str, progress: Progress | None = None) -> CountsImportResult:
    """Load headcounts (``as_at``, ``org_unit``, ``ethnic_category``,
    ``headcount``) for any org unit; reports roll them up to its ICSU and the
    trust. Raises ImportFailed, having written nothing, if any row is invalid."""
    return _counts_import(HEADCOUNT, text, progress)


def history_import(*, text: str, progress: Progress | None = None) -> CountsImportResult:
    """Load formal-investigation entries from before go-live (``date``,
    ``org_unit``, ``ethnic_category``, ``entered``). Raises ImportFailed,
    having written nothing, if any row is invalid."""
    return _counts_import(HISTORY, text, progress)


def _counts_import(spec: _Spec, text: str, progress: Progress | None) -> CountsImportResult:
    errors = RowErrors()
    rows = read_csv(text, spec.columns, errors)
    report = progress or (lambda done, total: None)
    with transaction.atomic():
        unit_ids = dict(OrgUnit.objects.values_list("code", "pk"))
        first: dict[tuple[dt.date, str, str], int] = {}
        for done, row in enumerate(rows, 1):
            _check_row(spec, row, unit_ids.keys(), first, errors)
            if done % PROGRESS_EVERY == 0:
                report(done, 2 * len(rows))
        if errors:
            raise ImportFailed(errors)
        result = _write(spec, rows, unit_ids, lambda done: report(len(rows) + done, 2 * len(rows)))
        if spec is HEADCOUNT and rows:
            # Kept early-warning figures as at these dates or later used the
            # headcount before it: they are stale.
            early_warning_snapshots_drop(
                min(dt.date.fromisoformat(r[spec.columns[0]]) for r in rows)
            )
        audit_record(
            case=None,
            actor=None,
            action=EventType.IMPORT,
            payload={"kind": spec.kind, **vars(result)},
        )
    report(2 * len(rows), 2 * len(rows))
    logger.info("%s import: %d rows for %d dates.", spec.kind, result.rows, result.dates)
    return result


def _check_row(
    spec: _Spec,
    row: Row,
    units: Collection[str],
    first: dict[tuple[dt.date, str, str], int],
    errors: RowErrors,
) -> None:
    date_column, unit_column, code_column, count_column = spec.columns
    day = check_date(row, date_column, errors)
    unit = row[unit_column]
    if not unit:
        errors.add(row, unit_column, "is required.")
    elif unit not in units:
        errors.add(row, unit_column, f"there is no org unit {unit}; import the org units first.")
    code = normalise_ethnic_category(row[code_column])
    if code is None:
        message = f"is not a valid NHS ethnic category code; use one of {', '.join(ETHNIC_CODES)}"
        errors.add(row, code_column, message + ", or leave it blank for unknown.")
    else:
        row.values[code_column] = code
    count = row[count_column]
    if not count:
        errors.add(row, count_column, "is required.")
    elif count.startswith("-") and _is_digits(count[1:]):
        errors.add(row, count_column, "cannot be negative.")
    elif not _is_digits(count):
        errors.add(row, count_column, "must be a whole number (0, 1, 2 ...).")
    elif int(count) > MAX_COUNT:
        errors.add(row, count_column, f"is more than {MAX_COUNT:,}: check the column.")
    if day is not None and unit and code is not None:
        key = (day, unit, code)
        if key in first:
            label = code or "blank"
            message = f"{unit}, {label} on {day:%Y-%m-%d} is also on line {first[key]}."
            errors.add(row, None, message)
        else:
            first[key] = row.line


def _is_digits(value: str) -> bool:
    return value.isascii() and value.isdigit()


def _write(
    spec: _Spec, rows: list[Row], unit_ids: dict[str, int], progress: Callable[[int], None]
) -> CountsImportResult:
    date_column, unit_column, code_column, count_column = spec.columns
    model: Any = spec.model
    field, count_field = spec.date_field, spec.count_field
    dates = {row[date_column] for row in rows}
    replaced, _ = model.objects.filter(**{f"{field}__in": dates}).delete()
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        model.objects.bulk_create(
            model(
                **{
                    field: dt.date.fromisoformat(row[date_column]),
                    "org_unit_id": unit_ids[row[unit_column]],
                    "ethnic_category": row[code_column],
                    count_field: int(row[count_column]),
                }
            )
            for row in batch
        )
        progress(start + len(batch))
    return CountsImportResult(rows=len(rows), dates=len(dates), replaced=replaced)
