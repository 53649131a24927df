"""A backup taken after a case file was destroyed restores with its audit
chain intact, against an anchor taken before the destruction: the redacted
events and their signed listing survive ``pg_dump`` and ``pg_restore``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
import time_machine
from django.core.management import call_command

from audit.services import audit_sequence

from ..formal.steps import formal_concluded
from ..records.test_retention import destroy
from ..records.world import LATER, at
from ..workflow.steps import Story
from .restore import backed_up_and_restored, dsn, fresh_database, verify_against

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
        case = formal_concluded(Story(cast, employee))
    audit_sequence()
    call_command("verify_audit", "--anchor")
    anchor = capsys.readouterr().out.split()[-1]
    with time_machine.travel(LATER):
        destroy(case, cast.hr)
    audit_sequence()
    backed_up_and_restored(tmp_path, into=fresh_database)

    with psycopg.connect(dsn(fresh_database)) as conn:
        redacted = conn.execute(
            "SELECT count(*) FROM audit_auditevent WHERE case_id = %s AND redacted_at IS NOT NULL",
            [case.pk],
        ).fetchone()
    assert redacted is not None
    assert redacted[0] > 0
    checked = verify_against(fresh_database, anchor)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.startswith("intact")
