"""Load proposed referrals from before the product (spreadsheets, ER Tracker
exports) for the early warning: ``import_referral_history``.

Columns ``referred_on`` (YYYY-MM-DD, or DD/MM/YYYY as Excel writes it),
``manager_staff_number``, ``employee_staff_number`` and ``entered_formal``
(``yes`` or ``no``). Both people must be employees of the current trust; the
employee's org unit and ethnic category are copied from their employee record
as the row is stored, as a case copies them at submission.

The same all-or-nothing contract as every import built on ``core.csv_import``:
every row is checked first, every problem is reported by line, and only a
file with no problems is written, in one transaction, with one audit event.

A row is identified by its four values: a row already stored is left as it
is, so importing the same file again (or a longer export that repeats it)
adds nothing twice. The same four values twice in one file is an error, as
in the other imports.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from audit.models import EventType
from audit.services import audit_record
from core.csv_import import ImportFailed, Row, RowErrors, check_date, read_csv
from staff.models import Employee

from .early_warning_snapshot import early_warning_snapshots_drop
from .models import ReferralHistory

logger = logging.getLogger(__name__)

REFERRAL_COLUMNS = (
    "referred_on",
    "manager_staff_number",
    "employee_staff_number",
    "entered_formal",
)
ANSWERS = {"yes": True, "no": False}
BATCH = 2000

# (referred_on, manager's pk, employee's pk, entered_formal): what identifies a row.
_Key = tuple[dt.date, int, int, bool]


@dataclass(frozen=True)
class ReferralImportResult:
    rows: int  # rows in the file
    created: int  # stored by this import
    already: int  # stored before (an earlier import of the same rows): left alone


@dataclass(frozen=True)
class _Person:
    pk: int
    org_unit_id: int
    ethnic_category: str


def referral_history_import(*, text: str) -> ReferralImportResult:
    """Load referral history into the current trust. Raises ImportFailed,
    having written nothing, if any row is invalid."""
    errors = RowErrors()
    rows = read_csv(text, REFERRAL_COLUMNS, errors)
    today = timezone.localdate()
    with transaction.atomic():
        people = _people(rows)
        keys: list[_Key] = []
        first: dict[_Key, int] = {}
        for row in rows:
            key = _check_row(row, people, today, errors)
            if key is None:
                continue
            if key in first:
                errors.add(row, None, f"the same referral is also on line {first[key]}.")
            else:
                first[key] = row.line
                keys.append(key)
        if errors:
            raise ImportFailed(errors)
        by_pk = {person.pk: person for person in people.values()}
        result = _write(keys, by_pk)
        if result.created:
            # Kept early-warning figures that could count these are stale.
            early_warning_snapshots_drop(min(key[0] for key in keys))
        audit_record(
            case=None,
            actor=None,
            action=EventType.IMPORT,
            payload={"kind": "referral_history", **vars(result)},
        )
    logger.info(
        "referral history import: %d rows, %d new, %d already stored.",
        result.rows,
        result.created,
        result.already,
    )
    return result


def _people(rows: list[Row]) -> dict[str, _Person]:
    """The current trust's employees named in the file, by staff number."""
    numbers = {row[c] for row in rows for c in REFERRAL_COLUMNS[1:3] if row[c]}
    found = Employee.objects.filter(staff_number__in=numbers).values_list(
        "staff_number", "pk", "org_unit_id", "ethnic_category"
    )
    return {number: _Person(pk, unit, code) for number, pk, unit, code in found}


def _check_row(
    row: Row, people: dict[str, _Person], today: dt.date, errors: RowErrors
) -> _Key | None:
    """Add every problem of one row; its key when it has none."""
    day = check_date(row, "referred_on", errors)
    if day is not None and day > today:
        errors.add(row, "referred_on", "is in the future.")
        day = None
    manager = _person(row, "manager_staff_number", people, errors)
    employee = _person(row, "employee_staff_number", people, errors)
    if manager is not None and manager == employee:
        message = "is the manager's own staff number; a manager does not refer themselves."
        errors.add(row, "employee_staff_number", message)
        employee = None
    answer = row["entered_formal"].lower()
    formal = ANSWERS.get(answer)
    if not answer:
        errors.add(row, "entered_formal", "is required.")
    elif formal is None:
        errors.add(row, "entered_formal", "must be yes or no.")
    if day is None or manager is None or employee is None or formal is None:
        return None
    return (day, manager.pk, employee.pk, formal)


def _person(row: Row, column: str, people: dict[str, _Person], errors: RowErrors) -> _Person | None:
    number = row[column]
    if not number:
        errors.add(row, column, "is required.")
        return None
    person = people.get(number)
    if person is None:
        errors.add(row, column, f"there is no employee {number}; import the employees first.")
    return person


def _write(keys: list[_Key], people: dict[int, _Person]) -> ReferralImportResult:
    stored = set(
        ReferralHistory.objects.filter(
            referred_on__in={k[0] for k in keys}, employee_id__in={k[2] for k in keys}
        ).values_list("referred_on", "manager_id", "employee_id", "entered_formal")
    )
    new = [k for k in keys if k not in stored]
    now = timezone.now()
    for start in range(0, len(new), BATCH):
        ReferralHistory.objects.bulk_create(
            (
                ReferralHistory(
                    referred_on=day,
                    manager_id=manager,
                    employee_id=employee,
                    entered_formal=formal,
                    org_unit_id=people[employee].org_unit_id,
                    ethnic_category=people[employee].ethnic_category,
                    imported_at=now,
                )
                for day, manager, employee, formal in new[start : start + BATCH]
            ),
            # The unique constraint is the last word: a row stored by an
            # import running at the same moment is not stored twice.
            ignore_conflicts=True,
        )
    return ReferralImportResult(rows=len(keys), created=len(new), already=len(keys) - len(new))
