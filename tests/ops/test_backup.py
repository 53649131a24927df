"""A backup restores into a fresh database with the audit chain intact
against its anchor and every case as it was (``make backup``, then
``pg_restore`` as docs/operations.md says)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from workflow.models import Case

from ..workflow.steps import Story
from .restore import backed_up_and_restored, dsn, fresh_database, verify_against

__all__ = ["fresh_database"]

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
    backed_up_and_restored(tmp_path, into=fresh_database)

    assert Case.objects.count() == 5
    assert _cases(dsn(fresh_database)) == _cases(dsn(connection.settings_dict["NAME"]))
    checked = verify_against(fresh_database, anchor)
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
