"""The import_org_units and import_employees commands, as an administrator runs them."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from staff.models import Employee, OrgUnit

from .helpers import employee_csv, org_csv, snapshot

pytestmark = pytest.mark.django_db

TREE = org_csv(
    "DEP-ED,Emergency Department,ICSU-MED,department",
    "ICSU-MED,Medicine,TRUST,icsu",
    "TRUST,Demo NHS Trust,,trust",
)


def run(command: str, path: Path) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command, str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_importing_org_units_then_employees_prints_a_summary_of_each(write_csv):
    units = write_csv(TREE, name="org_units.csv")
    people = write_csv(
        employee_csv("E2,Sam Nurse,Staff Nurse,Band 5,DEP-ED,E1,N", "E1,Mo,Matron,8a,ICSU-MED,,"),
        name="employees.csv",
    )

    assert run("import_org_units", units) == ("Imported 3 org units: 3 created, 0 updated.\n", "")
    assert run("import_employees", people) == ("Imported 2 employees: 2 created, 0 updated.\n", "")
    assert Employee.objects.get(staff_number="E2").line_manager == Employee.objects.get(
        staff_number="E1"
    )


def test_a_single_row_is_summarised_in_the_singular(tree, write_csv):
    path = write_csv(employee_csv("E1,Mo,Matron,8a,ICSU-MED,,"))
    run("import_employees", path)

    out, _ = run("import_employees", path)

    assert out == "Imported 1 employee: 0 created, 1 updated.\n"


def test_an_excel_csv_with_a_byte_order_mark_imports(write_csv):
    path = write_csv(TREE, encoding="utf-8-sig")

    out, _ = run("import_org_units", path)

    assert out.startswith("Imported 3 org units")
    assert OrgUnit.objects.filter(code="TRUST").exists()


def test_a_bad_file_lists_every_error_on_stderr_and_imports_nothing(tree, write_csv):
    before = snapshot()
    path = write_csv(
        employee_csv(
            "E1,Mo,Matron,8a,ICSU-MED,,",
            "E2,Sam,Nurse,Band 5,DEP-NOPE,E1,I",
            "E1,Mo again,Matron,8a,ICSU-MED,,",
        )
    )
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match=r"^Nothing was imported: 3 errors\.$"):
        call_command("import_employees", str(path), stdout=out, stderr=err)

    assert out.getvalue() == ""
    assert err.getvalue().splitlines() == [
        "line 3, ethnic_category: is not a valid NHS ethnic category code; use one of "
        "A, B, C, D, E, F, G, H, J, K, L, M, N, P, R, S, Z, or leave it blank.",
        "line 3, org_unit: there is no org unit DEP-NOPE; import the org units first.",
        "line 4, staff_number: E1 is also on line 2.",
    ]
    assert snapshot() == before


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_org_units", str(tmp_path / "nope.csv"))


def test_a_file_that_is_not_utf8_is_a_clear_error(write_csv):
    # Excel's plain "CSV" on Windows writes cp1252.
    path = write_csv(org_csv("TRUST,Hôpital Trust,,trust"), encoding="cp1252")

    with pytest.raises(CommandError, match=r"is not UTF-8 text .* 'CSV UTF-8"):
        call_command("import_org_units", str(path))
    assert not OrgUnit.objects.exists()


def test_a_directory_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("import_org_units", str(tmp_path))


def manage(*args: str) -> subprocess.CompletedProcess[str]:
    # A real process, to see the exit status a shell or a scheduler sees, on
    # the test database (as the application role), acting for the test's trust
    # (committed: the tests using this are transactional).
    db = connection.settings_dict
    env = os.environ.copy()
    env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_from_the_shell_a_rejected_file_exits_non_zero_with_errors_on_stderr(write_csv):
    path = write_csv("code,name,kind\nTRUST,Demo,trust\n")

    done = manage("import_org_units", str(path))

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "line 1, parent_code: this column is missing; the header must name "
        "code, name, parent_code, kind.",
        "CommandError: Nothing was imported: 1 error.",
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_from_the_shell_a_missing_file_exits_non_zero(tmp_path):
    done = manage("import_employees", str(tmp_path / "nope.csv"))

    assert done.returncode == 1
    assert "no such file" in done.stderr
