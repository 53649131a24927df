"""A backup taken after a case file was destroyed restores with its audit
chain intact, against an anchor taken before the destruction: the redacted
events and their signed listing survive ``pg_dump`` and ``pg_restore``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
import time_machine
from django.core.management import call_command

from audit.services import audit_sequence

from ..records.test_retention import destroy
from ..records.world import LATER, at
from ..workflow.steps import Story
from .test_backup import ROOT, _dsn, fresh_database

__all__ = ["fresh_database"]

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_restored_backup_of_a_destroyed_file_verifies_against_an_earlier_anchor(
    cast: Any,
    employee: Any,
    tmp_path: Path,
    fresh_database: str,
    capsys: pytest.CaptureFixture[str],
    settings: Any,
) -> None:
    settings.FTP_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    with at(2024, 6, 3):
        case = Story(cast, employee).formal()
    audit_sequence()
    call_command("verify_audit", "--anchor")
    anchor = capsys.readouterr().out.split()[-1]
    with time_machine.travel(LATER):
        destroy(case, cast.hr)
    audit_sequence()
    backup = tmp_path / "ftp.dump"
    call_command("backup", output=str(backup))

    pg_restore = shutil.which("pg_restore")
    assert pg_restore, "pg_restore is needed (PostgreSQL's client programs)"
    subprocess.run(  # noqa: S603 - fixed arguments
        [pg_restore, "--no-owner", f"--dbname={_dsn(fresh_database)}", str(backup)],
        check=True,
        capture_output=True,
    )
    with psycopg.connect(_dsn(fresh_database)) as conn:
        redacted = conn.execute(
            "SELECT count(*) FROM audit_auditevent WHERE case_id = %s AND redacted_at IS NOT NULL",
            [case.pk],
        ).fetchone()
    assert redacted is not None
    assert redacted[0] > 0
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
