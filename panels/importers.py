"""Load the panel pool from a CSV, as HR keeps it (``import_panel_pool``).

Columns: ``username``, ``staff_number``, ``networks`` (semicolon-separated
network codes or names), ``independent_trained_until`` and ``away_until``
(dates, YYYY-MM-DD or DD/MM/YYYY, or blank). Validated like every import
built on ``core.csv_import``, whose reading and error shapes this uses:
every row is checked first, every problem is reported with its line
number, and a file with any bad row is rejected whole. Each row links the
login to the person's employee record and sets their pool record; the file
is the truth, so a blank cell clears what was stored.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.roles import Role, holders
from audit.models import EventType
from audit.services import audit_record
from core.csv_import import ImportFailed, ImportResult, Row, RowErrors, read_csv, unique_rows
from staff.models import Employee

from .models import PoolMember, StaffNetwork

logger = logging.getLogger(__name__)

POOL_COLUMNS = (
    "username",
    "staff_number",
    "networks",
    "independent_trained_until",
    "away_until",
)
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y")
NOT_A_DATE = "is not a date; use YYYY-MM-DD or DD/MM/YYYY, or leave it blank."


def pool_import(*, text: str) -> ImportResult:
    """Create or update pool members from CSV ``text`` with the POOL_COLUMNS.

    The users must exist and hold the panel member role (``add_user``), and
    the employees must be loaded (``import_employees``). Raises ImportFailed,
    having written nothing, if any row is invalid.
    """
    errors = RowErrors()
    rows = read_csv(text, POOL_COLUMNS, errors)
    with transaction.atomic():
        by_username = unique_rows(rows, "username", errors)
        unique_rows(rows, "staff_number", errors)
        context = _Context.load(rows)
        for row in rows:
            _check_row(row, context, errors)
        if errors:
            raise ImportFailed(errors)
        result = _write(by_username, context)
        audit_record(
            case=None,
            actor=None,
            action=EventType.IMPORT,
            payload={"kind": "panel_pool", "created": result.created, "updated": result.updated},
        )
    logger.info("Panel pool import: %d created, %d updated.", result.created, result.updated)
    return result


class _Context:
    """Everything the rows refer to, loaded in a few queries."""

    def __init__(
        self,
        users: Mapping[str, tuple[int, bool]],
        employees: Mapping[str, tuple[int, int | None]],
        networks: Mapping[str, StaffNetwork],
    ) -> None:
        self.users = users  # username -> (id, may sit: active panel member)
        self.employees = employees  # staff number -> (id, linked user id)
        self.networks = networks  # code or name, lower-cased -> network

    @classmethod
    def load(cls, rows: list[Row]) -> _Context:
        names = {r["username"] for r in rows}
        numbers = {r["staff_number"] for r in rows}
        users = _users(names)
        employees = {
            n: (pk, user_id)
            for n, pk, user_id in Employee.objects.filter(staff_number__in=numbers).values_list(
                "staff_number", "pk", "user_id"
            )
        }
        networks: dict[str, StaffNetwork] = {}
        for network in StaffNetwork.objects.all():
            networks[network.code.lower()] = networks[network.name.lower()] = network
        return cls(users, employees, networks)


def _users(names: set[str]) -> dict[str, tuple[int, bool]]:
    User = get_user_model()
    in_panel = set(
        holders(Role.PANEL).filter(username__in=names).values_list("username", flat=True)
    )
    return {
        username: (pk, username in in_panel)
        for username, pk in User.objects.filter(username__in=names).values_list("username", "pk")
    }


def _check_row(row: Row, context: _Context, errors: RowErrors) -> None:
    username, number = row["username"], row["staff_number"]
    user = context.users.get(username)
    if username and user is None:
        errors.add(row, "username", f"there is no login {username}; add it with add_user first.")
    elif user is not None and not user[1]:
        errors.add(row, "username", "is not an active panel member; give them the panel role.")
    employee = context.employees.get(number)
    if number and employee is None:
        errors.add(row, "staff_number", f"there is no employee {number}; import employees first.")
    elif employee is not None and user is not None and employee[1] not in (None, user[0]):
        errors.add(row, "staff_number", f"employee {number} is linked to another login.")
    unknown = [n for n in _network_names(row) if n.lower() not in context.networks]
    if unknown:
        known = ", ".join(sorted({n.code for n in context.networks.values()})) or "none yet"
        message = f"unknown network {', '.join(unknown)}; known: {known} (add them in the admin)."
        errors.add(row, "networks", message)
    for column in ("independent_trained_until", "away_until"):
        if row[column] and _date(row[column]) is None:
            errors.add(row, column, NOT_A_DATE)


def _network_names(row: Row) -> list[str]:
    return [n.strip() for n in row["networks"].split(";") if n.strip()]


def _date(value: str) -> dt.date | None:
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def _write(by_username: Mapping[str, Row], context: _Context) -> ImportResult:
    existing = set(
        PoolMember.objects.filter(user__username__in=by_username).values_list(
            "user__username", flat=True
        )
    )
    for username, row in by_username.items():
        user_id = context.users[username][0]
        employee_id = context.employees[row["staff_number"]][0]
        # The file is the truth: the login's link moves to the employee it names.
        Employee.objects.filter(user_id=user_id).exclude(pk=employee_id).update(user=None)
        Employee.objects.filter(pk=employee_id).update(user_id=user_id)
        member, _ = PoolMember.objects.update_or_create(
            user_id=user_id,
            defaults={
                "independent_trained_until": _date(row["independent_trained_until"]),
                "away_until": _date(row["away_until"]),
            },
        )
        member.networks.set([context.networks[n.lower()] for n in _network_names(row)])
    created = len(set(by_username) - existing)
    return ImportResult(created=created, updated=len(by_username) - created)
