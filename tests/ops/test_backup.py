"""A backup restores into a fresh database with the audit chain intact
against its anchor and every case as it was (``make backup``, then
``pg_restore`` as docs/operations.md says)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from workflow.models import Case

from ..workflow.steps import Story

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _cases(dsn: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT id, reference, stage, version, employee_name FROM workflow_case ORDER BY id"
        ).fetchall()
    return [tuple(r) for r in rows]


def _dsn(name: str) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"


@pytest.fixture
def fresh_database() -> Any:
    name = f"{connection.settings_dict['NAME']}_restored"
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_restored_backup_verifies_against_its_anchor_and_keeps_every_case(
    cast: Any,
    employee: Any,
    tmp_path: Path,
    fresh_database: str,
    capsys: pytest.CaptureFixture[str],
    settings: Any,
) -> None:
    # This test's own anchors: the restored database is checked against them.
    settings.FTP_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    story = Story(cast, employee)
    for where in ("submitted", "informal", "closed", "signoff", "formal"):
        story.at(where)
    call_command("verify_audit", "--anchor")
    anchor = capsys.readouterr().out.split()[-1]
    backup = tmp_path / "ftp.dump"
    call_command("backup", output=str(backup))
    assert backup.stat().st_size > 0

    pg_restore = shutil.which("pg_restore")
    assert pg_restore, "pg_restore is needed (PostgreSQL's client programs)"
    subprocess.run(  # noqa: S603 - fixed arguments
        [pg_restore, "--no-owner", f"--dbname={_dsn(fresh_database)}", str(backup)],
        check=True,
        capture_output=True,
    )

    assert Case.objects.count() == 5
    assert _cases(_dsn(fresh_database)) == _cases(_dsn(connection.settings_dict["NAME"]))
    env = {
        **os.environ,
        "DATABASE_URL": _dsn(fresh_database),
        "FTP_AUDIT_ANCHOR_FILE": settings.FTP_AUDIT_ANCHOR_FILE,
    }
    checked = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, str(ROOT / "manage.py"), "verify_audit", "--expect", anchor],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("intact")


def test_a_backup_that_fails_leaves_no_file_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.management.base import CommandError

    monkeypatch.setitem(connection.settings_dict, "NAME", "no_such_database_here")
    backup = tmp_path / "ftp.dump"
    with pytest.raises(CommandError, match="pg_dump failed"):
        call_command("backup", output=str(backup))
    assert not backup.exists()
