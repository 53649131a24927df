"""``import_panel_pool``: the pool from HR's spreadsheet, validated like the
reference data imports (a bad row rejects the whole file, errors by line)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from accounts.roles import Role
from audit.models import AuditEvent, EventType
from core.csv_import import ImportFailed, ImportResult
from panels.importers import pool_import
from panels.models import PoolMember, StaffNetwork
from staff.models import Employee

from ..factories import EmployeeFactory, make_user

pytestmark = pytest.mark.django_db

HEADER = "username,staff_number,networks,independent_trained_until,away_until"


def pool_csv(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


@pytest.fixture
def people(db: None) -> dict[str, Any]:
    StaffNetwork.objects.create(code="race-equality", name="Race equality network")
    StaffNetwork.objects.create(code="disability", name="Disability network")
    return {
        "ana": make_user("ana", Role.PANEL),
        "ben": make_user("ben", Role.PANEL),
        "hr": make_user("hal", Role.HR),
        "S1": EmployeeFactory.create(staff_number="S1"),
        "S2": EmployeeFactory.create(staff_number="S2"),
        "S3": EmployeeFactory.create(staff_number="S3"),
    }


def state() -> list[tuple[Any, ...]]:
    """Every pool record and link, to show a refused file changed nothing."""
    pool = PoolMember.objects.order_by("user__username").values_list(
        "user__username", "independent_trained_until", "away_until", "networks__code"
    )
    links = Employee.objects.order_by("staff_number").values_list("staff_number", "user_id")
    return [*pool, *links]


def test_a_good_file_links_each_login_to_its_employee_and_fills_the_pool(
    people: dict[str, Any],
) -> None:
    text = pool_csv(
        "ana,S1,race-equality; Disability network,2027-03-31,",
        "ben,S2,,,01/07/2026",
    )

    assert pool_import(text=text) == ImportResult(created=2, updated=0)

    ana = PoolMember.objects.get(user=people["ana"])
    assert ana.independent_trained_until == dt.date(2027, 3, 31)
    assert ana.away_until is None
    assert sorted(ana.networks.values_list("code", flat=True)) == ["disability", "race-equality"]
    ben = PoolMember.objects.get(user=people["ben"])
    assert (ben.independent_trained_until, ben.away_until) == (None, dt.date(2026, 7, 1))
    assert Employee.objects.get(staff_number="S1").user == people["ana"]
    assert Employee.objects.get(staff_number="S2").user == people["ben"]
    event = AuditEvent.objects.latest("seq")
    assert event.action == EventType.IMPORT
    assert event.payload == {"kind": "panel_pool", "created": 2, "updated": 0}


def test_reimporting_updates_and_a_blank_cell_clears(people: dict[str, Any]) -> None:
    pool_import(text=pool_csv("ana,S1,race-equality,2027-03-31,2026-07-01"))

    result = pool_import(text=pool_csv("ana,S3,,,"))

    assert result == ImportResult(created=0, updated=1)
    ana = PoolMember.objects.get(user=people["ana"])
    assert (ana.independent_trained_until, ana.away_until) == (None, None)
    assert not ana.networks.exists()
    # The login's link moved to the employee record the file names.
    assert Employee.objects.get(staff_number="S3").user == people["ana"]
    assert Employee.objects.get(staff_number="S1").user is None


def test_a_bad_file_is_rejected_whole_with_every_error_by_line(people: dict[str, Any]) -> None:
    Employee.objects.filter(staff_number="S3").update(user=make_user("cat", Role.PANEL))
    before = state()
    text = pool_csv(
        "ana,S1,race-equality,2027-03-31,",  # fine on its own
        "nobody,S2,,,",
        "hal,S2,,,",
        "ben,S9,choir,someday,31/02/2026",
        "ana,S3,,,",
    )

    with pytest.raises(ImportFailed) as failure:
        pool_import(text=text)

    assert [str(e) for e in failure.value.errors] == [
        "line 3, username: there is no login nobody; add it with add_user first.",
        "line 4, staff_number: S2 is also on line 3.",
        "line 4, username: is not an active panel member; give them the panel role.",
        "line 5, away_until: is not a date; use YYYY-MM-DD or DD/MM/YYYY, or leave it blank.",
        "line 5, independent_trained_until: is not a date; use YYYY-MM-DD or DD/MM/YYYY, "
        "or leave it blank.",
        "line 5, networks: unknown network choir; known: disability, race-equality "
        "(add them in the admin).",
        "line 5, staff_number: there is no employee S9; import employees first.",
        "line 6, staff_number: employee S3 is linked to another login.",
        "line 6, username: ana is also on line 2.",
    ]
    assert failure.value.message == "Nothing was imported: 9 errors."
    assert state() == before
    assert not AuditEvent.objects.filter(action=EventType.IMPORT).exists()


def test_a_file_without_the_right_columns_is_refused(people: dict[str, Any]) -> None:
    with pytest.raises(ImportFailed) as failure:
        pool_import(text="username,staff_number\nana,S1\n")
    assert {e.column for e in failure.value.errors} == {
        "networks",
        "independent_trained_until",
        "away_until",
    }


def test_the_command_prints_a_summary_or_every_error(
    people: dict[str, Any], tmp_path: Path
) -> None:
    def run(text: str) -> tuple[str, str]:
        path = tmp_path / "pool.csv"
        path.write_text(text, encoding="utf-8-sig")  # as Excel saves it
        out, err = io.StringIO(), io.StringIO()
        call_command("import_panel_pool", str(path), stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    assert run(pool_csv("ana,S1,,,")) == ("Imported 1 pool member: 1 created, 0 updated.\n", "")
    with pytest.raises(CommandError, match=r"^Nothing was imported: 1 error\.$"):
        run(pool_csv("ana,S1,,never,"))
