"""Each trust's events form their own chain, and events outside any trust the
deployment's (ADR 0020): each verifies, is sequenced and anchored on its
own, tampering in one is reported for that one only, and row-level security
keeps each trust's events from every other trust's connection.

The suite connects as the application role, which row-level security binds
(tests/db_roles.py): the raw statements here meet the policy itself.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction

from audit.anchors import last_anchor
from audit.chain import GENESIS
from audit.models import AuditEvent, EventType
from audit.sequencing import chain_lock_key
from audit.services import audit_record, for_each_chain
from audit.tasks import sequence_audit_events, verify_audit_chain
from audit.verify import Kind, verify_log
from tenancy.checks import unprotected_tables
from tenancy.context import current_trust_id, trust_entered
from tenancy.models import Trust
from tenancy.services import trust_add

pytestmark = pytest.mark.django_db


def append(n: int, label: str = "") -> list[AuditEvent]:
    """``n`` events in the current chain."""
    return [
        audit_record(case=None, actor=None, action="import", reason=f"{label} {i}")
        for i in range(n)
    ]


def chain() -> list[tuple[int | None, str]]:
    """The current chain's (seq, reason), as the application reads it."""
    return list(AuditEvent.objects.order_by("seq").values_list("seq", "reason"))


def verify_command(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out, stderr=out)
    return out.getvalue()


@contextlib.contextmanager
def locks_held_elsewhere(*trusts: Trust | None) -> Iterator[None]:
    """Another session holds these chains' locks, as writers mid-transaction would."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    keys = [chain_lock_key(None if t is None else t.pk) for t in trusts]
    try:
        with other.cursor() as cursor:
            for key in keys:
                cursor.execute("SELECT pg_advisory_lock(%s)", [key])
        yield
    finally:
        with other.cursor() as cursor:
            for key in keys:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        other.close()


def test_two_trusts_events_form_two_chains_each_verifying(trust: Trust, other_trust: Trust) -> None:
    ours = append(3, "RAL")
    with trust_entered(other_trust):
        theirs = append(2, "RBX")
        assert chain() == [(1, "RBX 0"), (2, "RBX 1")]
        assert theirs[0].prev_hash == GENESIS
        report = verify_log()
        assert report.intact, str(report)
        assert report.events == 2
    assert chain() == [(1, "RAL 0"), (2, "RAL 1"), (3, "RAL 2")]
    assert ours[0].prev_hash == GENESIS
    assert [e.trust_id for e in ours + theirs] == [trust.pk] * 3 + [other_trust.pk] * 2
    report = verify_log()
    assert report.intact, str(report)
    assert report.events == 3


def test_events_outside_any_trust_form_the_deployment_chain(
    trust: Trust, other_trust: Trust
) -> None:
    append(2, "RAL")
    with trust_entered(None):
        [outside] = append(1, "sign-in")
        assert outside.trust_id is None
        assert chain() == [(1, "sign-in 0")]
        assert verify_log().intact
    assert chain() == [(1, "RAL 0"), (2, "RAL 1")]
    assert for_each_chain(lambda: AuditEvent.objects.count()) == {"RAL": 2}  # inside a trust
    with trust_entered(None):
        counts = for_each_chain(lambda: AuditEvent.objects.count())
    assert counts == {"deployment": 1, "RAL": 2, "RBX": 0}


def test_tampering_in_one_trusts_chain_is_reported_for_that_trust_only(
    trust: Trust, other_trust: Trust, tamper: Any
) -> None:
    append(3, "RAL")
    with trust_entered(other_trust):
        theirs = append(3, "RBX")
    # A superuser edits RBX's second event (the attacker sees every trust: name it).
    tamper(
        (
            "UPDATE audit_auditevent SET reason = 'nothing happened'"
            " WHERE trust_id = %s AND seq = 2",
            [other_trust.pk],
        )
    )
    assert verify_log().intact
    with trust_entered(other_trust):
        report = verify_log()
    assert report.breakage is not None
    assert (report.breakage.seq, report.breakage.id, report.breakage.kind) == (
        2,
        theirs[1].pk,
        Kind.ALTERED,
    )

    # Every chain, as beat's daily check and verify_audit with no --trust see them.
    with trust_entered(None), pytest.raises(CommandError, match=r"broken: RBX$") as raised:
        verify_command()
    assert raised.value.returncode == 1
    with trust_entered(None):
        out = verify_command("--trust", "RAL")
    assert out.splitlines() == ["intact, 4 events"]  # its 3 and the check just recorded


def test_the_daily_check_checks_and_anchors_every_chain(
    trust: Trust, other_trust: Trust, anchor_file: Path
) -> None:
    append(2, "RAL")
    with trust_entered(other_trust):
        append(1, "RBX")
    with trust_entered(None):
        append(1, "sign-in")
        assert verify_audit_chain.apply().get() is True
    lines = [json.loads(line) for line in anchor_file.read_text().splitlines()]
    assert [(a["trust"], a["head_seq"], a["events"]) for a in lines] == [
        (None, 1, 1),
        ("RAL", 2, 2),
        ("RBX", 1, 1),
    ]
    # Each check was recorded in the chain it checked, after its anchor.
    assert chain()[-1] == (3, "intact, 2 events")
    with trust_entered(other_trust):
        assert AuditEvent.objects.filter(action=EventType.VERIFY).count() == 1
    # The next check of each chain compares with that chain's own anchor.
    assert last_anchor(anchor_file, trust="RBX").head_seq == 1  # type: ignore[union-attr]
    with trust_entered(None):
        assert verify_audit_chain.apply().get() is True


def test_verify_audit_checks_the_trust_it_is_given(
    trust: Trust, other_trust: Trust, anchor_file: Path
) -> None:
    append(2, "RAL")
    with trust_entered(other_trust):
        theirs = append(4, "RBX")
    with trust_entered(None):
        out = verify_command("--trust", "rbx", "--anchor")
    assert out.splitlines() == ["intact, 4 events", f"anchor 4:{theirs[-1].hash}"]
    [line] = [json.loads(text) for text in anchor_file.read_text().splitlines()]
    assert (line["trust"], line["head_seq"]) == ("RBX", 4)
    with trust_entered(other_trust):
        assert chain()[-1] == (5, "intact, 4 events")  # the check, in RBX's chain
    assert len(chain()) == 2  # nothing recorded in RAL's

    with trust_entered(None):
        out = verify_command("--trust", "RBX", "--expect", f"4:{theirs[-1].hash}")
        assert out.splitlines() == ["intact, 5 events"]
        # The same position in RAL's chain is another event: the anchor is RBX's.
        with pytest.raises(CommandError, match="anchor mismatch"):
            verify_command("--trust", "RAL", "--expect", f"2:{theirs[1].hash}")
        with pytest.raises(CommandError, match="--trust CODE"):
            verify_command("--expect", f"4:{theirs[-1].hash}")
        with pytest.raises(CommandError, match="No trust has the code"):
            verify_command("--trust", "NOPE")


def test_without_a_trust_every_chain_is_reported_on_its_own_line(
    trust: Trust, other_trust: Trust
) -> None:
    append(2, "RAL")
    with trust_entered(other_trust):
        append(1, "RBX")
    with trust_entered(None):
        out = verify_command()
    assert out.splitlines() == [
        "deployment: empty: no events to verify",
        "RAL: intact, 2 events",
        "RBX: intact, 1 events",
    ]
    # A trust with no events proves nothing: exit 3.
    trust_add(code="RYJ", name="A new trust")
    with trust_entered(None), pytest.raises(CommandError, match="empty: RYJ") as raised:
        verify_command()
    assert raised.value.returncode == 3


def test_the_sequencer_chains_each_trusts_pending_events_in_that_trust(
    trust: Trust, other_trust: Trust
) -> None:
    # Writers find every chain's lock busy: their events wait, pending. (Taken
    # before anything is appended: the test's own transaction would hold a
    # chain's lock from its first chained event on.)
    with locks_held_elsewhere(trust, other_trust, None):
        append(2, "RAL pending")
        with trust_entered(other_trust):
            append(3, "RBX pending")
        with trust_entered(None):
            append(1, "outside pending")
    assert AuditEvent.objects.pending().count() == 2

    # Beat sends the task outside any trust: it goes through every chain.
    with trust_entered(None):
        assert sequence_audit_events() == 6
    assert chain() == [(1, "RAL pending 0"), (2, "RAL pending 1")]
    assert verify_log().intact
    with trust_entered(other_trust):
        assert [seq for seq, _ in chain()] == [1, 2, 3]
        assert verify_log().intact
    with trust_entered(None):
        assert chain() == [(1, "outside pending 0")]
        assert verify_log().intact


def test_one_trusts_busy_chain_does_not_hold_up_anothers(trust: Trust, other_trust: Trust) -> None:
    with locks_held_elsewhere(other_trust):
        [ours] = append(1, "RAL")
        with trust_entered(other_trust):
            [theirs] = append(1, "RBX")
    assert ours.seq == 1  # RAL's lock was free
    assert theirs.seq is None  # RBX's was held: pending


def test_a_raw_query_in_one_trust_sees_no_event_of_another(
    trust: Trust, other_trust: Trust
) -> None:
    append(2, "RAL")
    with trust_entered(other_trust):
        append(3, "RBX")
    with trust_entered(None):
        append(1, "outside")

    def raw_count(params: list[Any] | None = None) -> int:
        sql = "SELECT count(*) FROM audit_auditevent"
        if params is not None:
            sql += " WHERE trust_id IS NOT DISTINCT FROM %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, params or [])
            row = cursor.fetchone()
            return int(row[0]) if row else -1

    # No trust filter in the statement: the policy alone keeps the rows apart.
    assert raw_count() == 2
    assert raw_count([other_trust.pk]) == 0
    assert raw_count([None]) == 0
    with trust_entered(other_trust):
        assert raw_count() == 3
    with trust_entered(None):
        assert raw_count() == 1  # the deployment chain's only

    # Nor can an event be written into another trust's chain, or the deployment's.
    for target in (other_trust.pk, None):
        with (
            pytest.raises(DatabaseError, match="row-level security"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "INSERT INTO audit_auditevent (trust_id, prev_hash, hash, at, action,"
                " from_stage, to_stage, reason, payload)"
                " VALUES (%s, '', 'x', now(), 'import', '', '', 'forged', '{}')",
                [target],
            )
    assert current_trust_id() == trust.pk


def test_the_audit_table_has_its_trust_policy() -> None:
    assert "audit_auditevent" not in unprotected_tables()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_expr(polqual, polrelid) FROM pg_policy"
            " WHERE polrelid = 'audit_auditevent'::regclass AND polname = 'trust_isolation'"
        )
        [(qual,)] = cursor.fetchall()
    # A row of no trust is seen only outside every trust (PostgreSQL prints
    # IS NOT DISTINCT FROM as NOT (... IS DISTINCT FROM ...)).
    assert "IS DISTINCT FROM" in qual


def test_an_anchor_written_before_chains_were_per_trust_is_the_upgrade_trusts(
    anchor_file: Path, settings: Any
) -> None:
    settings.FTP_TRUST_CODE = "RAL"
    anchor_file.parent.mkdir(parents=True)
    legacy = {"head_seq": 7, "head_hash": "a" * 64, "events": 7, "at": "x", "key_id": "1"}
    anchor_file.write_text(json.dumps(legacy) + "\n")
    anchor = last_anchor(anchor_file, trust="RAL")
    assert anchor is not None
    assert (anchor.trust, anchor.head_seq) == ("RAL", 7)
    assert last_anchor(anchor_file, trust="RBX") is None
    assert last_anchor(anchor_file, trust=None) is None
