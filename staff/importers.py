"""Load org units and employees from CSV extracts, as a trust exports them from ESR.

Both imports are all-or-nothing, as every import built on ``core.csv_import``
is: every row is checked first, every problem is reported with the CSV's
physical line number (header = line 1), and only a file with no problems is
written, in one transaction. Re-importing updates rows matched by org unit
code or staff number; the file is the truth, so a blank optional cell clears
what was stored.

Ethnic category is special-category data (UK GDPR): error messages name codes
and staff numbers but never echo a name or an ethnic category, and the log
carries counts only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Mapping

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from audit.models import EventType
from audit.services import audit_record
from core.csv_import import (
    ImportFailed,
    ImportResult,
    Row,
    RowErrors,
    a_or_an,
    check_text,
    comma_list,
    max_length,
    read_csv,
    unique_rows,
)

from .ethnicity import EthnicCategory
from .models import Band, Employee, OrgUnit

logger = logging.getLogger(__name__)

ORG_UNIT_COLUMNS = ("code", "name", "parent_code", "kind")
EMPLOYEE_COLUMNS = (
    "staff_number",
    "name",
    "job_title",
    "band",
    "org_unit",
    "line_manager_staff_number",
    "ethnic_category",
)
# May be left out: a file without it leaves the emails already loaded alone.
# Single sign-on links a login to its employee record by it when the provider
# sends no staff number (staff/sso.py).
EMPLOYEE_OPTIONAL_COLUMNS = ("email",)
KINDS = [k.value for k in OrgUnit.Kind]
BANDS = [b.value for b in Band]
ETHNIC_CODES = [c.value for c in EthnicCategory]
# Parents are written before children, so a new unit can point at a new unit.
KIND_DEPTH = {OrgUnit.Kind.TRUST: 0, OrgUnit.Kind.ICSU: 1, OrgUnit.Kind.DEPARTMENT: 2}


def org_units_import(*, text: str) -> ImportResult:
    """Create or update org units from CSV ``text`` with the ORG_UNIT_COLUMNS.

    Raises ImportFailed, having written nothing, if any row is invalid.
    """
    errors = RowErrors()
    rows = read_csv(text, ORG_UNIT_COLUMNS, errors)
    # Checks and writes share one transaction, so what was checked is what is written.
    with transaction.atomic():
        by_code = unique_rows(rows, "code", errors)
        loaded = {
            code: (kind, parent)
            for code, kind, parent in OrgUnit.objects.values_list("code", "kind", "parent__code")
        }
        for row in rows:
            _check_org_unit_fields(row, errors)
        # A second pass, because a parent may be on a later line than its child.
        for row in rows:
            _check_parent(row, by_code, loaded, errors)
        parent_of = {code: parent for code, (_, parent) in loaded.items()}
        parent_of.update({code: row["parent_code"] for code, row in by_code.items()})
        _check_loops(by_code, parent_of, "parent_code", "parents", errors)
        _check_kind_changes(by_code, loaded, errors)
        if errors:
            raise ImportFailed(errors)
        result = _write_org_units(by_code)
        _audit_import("org_units", result)
    logger.info("Org unit import: %d created, %d updated.", result.created, result.updated)
    return result


def employees_import(*, text: str) -> ImportResult:
    """Create or update employees from CSV ``text`` with the EMPLOYEE_COLUMNS.

    Org units must be loaded first; a line manager may be anywhere in the file
    or already loaded. Raises ImportFailed, having written nothing, if any row
    is invalid.
    """
    errors = RowErrors()
    rows = read_csv(text, EMPLOYEE_COLUMNS, errors, optional=EMPLOYEE_OPTIONAL_COLUMNS)
    with transaction.atomic():
        by_number = unique_rows(rows, "staff_number", errors)
        unit_codes = set(OrgUnit.objects.values_list("code", flat=True))
        loaded = Employee.objects.values_list("staff_number", "line_manager__staff_number")
        manager_of = dict(loaded)
        for row in rows:
            _check_employee_fields(row, unit_codes, errors)
            _check_line_manager(row, by_number, manager_of.keys(), errors)
        manager_of.update({n: row["line_manager_staff_number"] for n, row in by_number.items()})
        _check_loops(by_number, manager_of, "line_manager_staff_number", "line managers", errors)
        if errors:
            raise ImportFailed(errors)
        result = _write_employees(by_number)
        _audit_import("employees", result)
    # Counts only: these rows carry names and ethnicity.
    logger.info("Employee import: %d created, %d updated.", result.created, result.updated)
    return result


def _audit_import(kind: str, result: ImportResult) -> None:
    """One audit event per import, in its transaction: counts only, no rows."""
    audit_record(
        case=None,
        actor=None,
        action=EventType.IMPORT,
        payload={"kind": kind, "created": result.created, "updated": result.updated},
    )


# Checks shared by both files ----------------------------------------------------


def _check_loops(
    rows: Mapping[str, Row],
    parent_of: Mapping[str, str | None],
    column: str,
    noun: str,
    errors: RowErrors,
) -> None:
    """Report, once each, the loops in ``parent_of`` that pass through a row of the file."""
    seen: set[frozenset[str]] = set()
    for start, row in rows.items():
        path, node = [start], parent_of.get(start)
        if node == start:
            continue  # pointing at itself is reported with a plainer message
        while node and node != start and node not in path:
            path.append(node)
            node = parent_of.get(node)
        if node == start and frozenset(path) not in seen:
            seen.add(frozenset(path))
            errors.add(row, column, f"this makes a loop of {noun}: {' -> '.join([*path, start])}.")


# Org units --------------------------------------------------------------------

_Loaded = Mapping[str, tuple[str, str | None]]  # code -> (kind, parent code)


def _check_org_unit_fields(row: Row, errors: RowErrors) -> None:
    limits = {"code": max_length(OrgUnit, "code"), "name": max_length(OrgUnit, "name")}
    check_text(row, errors, required=["name"], limits=limits)
    row.values["kind"] = kind = row["kind"].lower()
    if not kind:
        errors.add(row, "kind", f"is required: use one of {comma_list(KINDS)}.")
    elif kind not in KINDS:
        errors.add(row, "kind", f"must be one of {comma_list(KINDS)}.")


def _check_parent(row: Row, by_code: Mapping[str, Row], loaded: _Loaded, errors: RowErrors) -> None:
    kind, parent = row["kind"], row["parent_code"]
    if kind not in KINDS:
        return  # already reported, and the rule for the parent depends on the kind
    wanted = OrgUnit.PARENT_KIND[OrgUnit.Kind(kind)]
    if wanted is None:
        if parent:
            errors.add(row, "parent_code", "must be blank: a trust is the top of the tree.")
        return
    if not parent:
        message = f"is required: the parent of {a_or_an(kind)} is {a_or_an(wanted)}."
        errors.add(row, "parent_code", message)
        return
    if parent == row["code"]:
        errors.add(row, "parent_code", "a unit cannot be its own parent.")
        return
    if parent in by_code:
        parent_kind, where = by_code[parent]["kind"], f"{parent} (line {by_code[parent].line})"
    elif parent in loaded:
        parent_kind, where = loaded[parent][0], parent
    else:
        errors.add(row, "parent_code", f"there is no org unit {parent} in this file or loaded.")
        return
    if parent_kind in KINDS and parent_kind != wanted:
        rule = f"the parent of {a_or_an(kind)} must be {a_or_an(wanted)}"
        message = f"{where} is {a_or_an(parent_kind)}; {rule}."
        errors.add(row, "parent_code", message)


def _check_kind_changes(by_code: Mapping[str, Row], loaded: _Loaded, errors: RowErrors) -> None:
    """A unit that changes kind must not strand loaded children that the file leaves alone."""
    for code, row in by_code.items():
        old_kind, new_kind = loaded.get(code, (None, None))[0], row["kind"]
        if old_kind is None or old_kind == new_kind or new_kind not in KINDS:
            continue
        stranded = sorted(
            child
            for child, (kind, parent) in loaded.items()
            if parent == code
            and child not in by_code
            and OrgUnit.PARENT_KIND[OrgUnit.Kind(kind)] != new_kind
        )
        if stranded:
            message = (
                f"changing {code} from {old_kind} to {new_kind} would leave {comma_list(stranded)} "
                "under the wrong kind of parent; add them to this file with a new parent_code."
            )
            errors.add(row, "kind", message)


def _write_org_units(by_code: Mapping[str, Row]) -> ImportResult:
    wanted = set(by_code) | {row["parent_code"] for row in by_code.values()}
    units = {unit.code: unit for unit in OrgUnit.objects.filter(code__in=wanted)}
    created = updated = 0
    # Trusts, then ICSUs, then departments: the database refuses a unit other than a
    # trust without a parent, so a new child needs its new parent's id first.
    for depth in sorted(KIND_DEPTH.values()):
        new: list[OrgUnit] = []
        changed: list[OrgUnit] = []
        for code, row in by_code.items():
            if KIND_DEPTH[OrgUnit.Kind(row["kind"])] == depth:
                unit = units.get(code) or OrgUnit(code=code)
                unit.name, unit.kind = row["name"], row["kind"]
                unit.parent = units[row["parent_code"]] if row["parent_code"] else None
                (changed if unit.pk else new).append(unit)
        OrgUnit.objects.bulk_create(new)
        OrgUnit.objects.bulk_update(changed, ["name", "kind", "parent"], batch_size=500)
        units.update({unit.code: unit for unit in new})
        created, updated = created + len(new), updated + len(changed)
    return ImportResult(created=created, updated=updated)


# Employees --------------------------------------------------------------------

_BAND_PREFIX = re.compile(r"^(afc\s*)?band", re.IGNORECASE)


def normalise_band(value: str) -> str | None:
    """'Band 5', 'band 8A', '8A', '8 a' -> the stored value ('5', '8a'); None if not a band."""
    if not value.strip():
        return ""
    band = re.sub(r"\s+", "", _BAND_PREFIX.sub("", value.strip())).lower()
    return band if band in BANDS else None


def normalise_ethnic_category(value: str) -> str | None:
    """' n ' -> 'N'; blank stays blank; None if not an NHS Data Dictionary code."""
    code = value.strip()
    # isascii: str.upper() maps some other letters onto codes (the long s, U+017F, to 'S').
    return code.upper() if not code or (code.isascii() and code.upper() in ETHNIC_CODES) else None


def normalise_email(value: str) -> str | None:
    """The address in lower case (blank stays blank), or None if it is not one."""
    address = value.strip().lower()
    if not address:
        return ""
    try:
        validate_email(address)
    except ValidationError:
        return None
    limit = Employee._meta.get_field("email").max_length or 254
    return address if len(address) <= limit else None


def _check_employee_fields(row: Row, unit_codes: Collection[str], errors: RowErrors) -> None:
    limits = {f: max_length(Employee, f) for f in ("staff_number", "name", "job_title")}
    check_text(row, errors, required=["name", "job_title", "org_unit"], limits=limits)
    if row["org_unit"] and row["org_unit"] not in unit_codes:
        message = f"there is no org unit {row['org_unit']}; import the org units first."
        errors.add(row, "org_unit", message)
    band_help = f'use one of {comma_list(BANDS)} (or "Band 5", "8A"), or leave it blank.'
    message = f"is not an Agenda for Change band; {band_help}"
    _normalise(row, "band", normalise_band, message, errors)
    # The rejected value is not echoed: ethnicity is special-category data.
    ethnic_help = f"use one of {comma_list(ETHNIC_CODES)}, or leave it blank."
    message = f"is not a valid NHS ethnic category code; {ethnic_help}"
    _normalise(row, "ethnic_category", normalise_ethnic_category, message, errors)
    if "email" in row.values:
        _normalise(row, "email", normalise_email, "is not an email address.", errors)


def _normalise(
    row: Row, column: str, clean: Callable[[str], str | None], message: str, errors: RowErrors
) -> None:
    value = clean(row[column])
    if value is None:
        errors.add(row, column, message)
    else:
        row.values[column] = value


def _check_line_manager(
    row: Row, by_number: Mapping[str, Row], loaded: Collection[str], errors: RowErrors
) -> None:
    manager, column = row["line_manager_staff_number"], "line_manager_staff_number"
    if manager and manager == row["staff_number"]:
        errors.add(row, column, "an employee cannot be their own line manager.")
    elif manager and manager not in by_number and manager not in loaded:
        errors.add(row, column, f"there is no employee {manager} in this file or loaded.")


def _write_employees(by_number: Mapping[str, Row]) -> ImportResult:
    codes = {row["org_unit"] for row in by_number.values()}
    unit_ids = dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "pk"))
    people = {e.staff_number: e for e in Employee.objects.filter(staff_number__in=by_number)}
    new: list[Employee] = []
    for number, row in by_number.items():
        person = people.get(number) or Employee(staff_number=number)
        person.name, person.job_title = row["name"], row["job_title"]
        person.band, person.ethnic_category = row["band"], row["ethnic_category"]
        person.email = row.values.get("email", person.email)
        person.org_unit_id = unit_ids[row["org_unit"]]
        if person.pk is None:
            new.append(person)
    # Second pass: a line manager may be a new row on any line, so every row
    # needs an id before anyone can point at their manager.
    Employee.objects.bulk_create(new)
    people.update({person.staff_number: person for person in new})
    ids = {number: person.pk for number, person in people.items()}
    others = {row["line_manager_staff_number"] for row in by_number.values()} - ids.keys()
    ids.update(Employee.objects.filter(staff_number__in=others).values_list("staff_number", "pk"))
    for number, row in by_number.items():
        people[number].line_manager_id = ids.get(row["line_manager_staff_number"])
    fields = ["name", "job_title", "band", "org_unit", "line_manager", "ethnic_category"]
    if any("email" in row.values for row in by_number.values()):
        fields.append("email")
    Employee.objects.bulk_update([people[n] for n in by_number], fields, batch_size=500)
    return ImportResult(created=len(new), updated=len(by_number) - len(new))
