"""verify_audit finds every kind of tampering done around the triggers, and
names the first broken event; an intact log verifies."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from audit.chain import GENESIS, event_hash
from audit.models import AuditEvent
from audit.verify import Kind, verify_log

pytestmark = pytest.mark.django_db


def verify_command(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def broken_at() -> tuple[int, int, Kind]:
    report = verify_log(chunk_size=2)  # several chunks even for a short log
    assert report.breakage is not None, "the tampering went unnoticed"
    return report.breakage.seq, report.breakage.id, report.breakage.kind


def test_an_empty_log_is_intact() -> None:
    assert verify_command() == "intact, 0 events\n"


def test_an_intact_log_verifies_in_chunks(appended: Any) -> None:
    appended(7)
    assert str(verify_log(chunk_size=3)) == "intact, 7 events"
    assert verify_command() == "intact, 7 events\n"


def test_a_whole_case_path_through_the_services_verifies(story: Any) -> None:
    story.formal()
    report = verify_log()
    assert report.intact and report.events == AuditEvent.objects.count() >= 5


def test_an_update_is_found_at_the_event_it_changed(appended: Any, tamper: Any) -> None:
    events = appended(5)
    tamper(("UPDATE audit_auditevent SET reason = 'nothing happened' WHERE seq = 3", []))
    assert broken_at() == (3, events[2].pk, Kind.ALTERED)
    with pytest.raises(CommandError, match=rf"seq=3 \(id={events[2].pk}\): content altered"):
        verify_command()


def test_a_delete_is_found_at_the_event_after_the_gap(appended: Any, tamper: Any) -> None:
    events = appended(5)
    tamper("DELETE FROM audit_auditevent WHERE seq = 3")
    assert broken_at() == (4, events[3].pk, Kind.MISSING)
    with pytest.raises(CommandError, match=r"seq=4 .*missing \(deleted\) - events seq 3\.\.3"):
        verify_command()


def test_deleting_the_first_event_is_found(appended: Any, tamper: Any) -> None:
    events = appended(3)
    tamper("DELETE FROM audit_auditevent WHERE seq = 1")
    assert broken_at() == (2, events[1].pk, Kind.MISSING)


def _forge_at(seq: int, *, hash_right: bool, tamper: Any) -> int:
    """Make room at ``seq`` and insert a forged decision linked to the event before."""
    prev = AuditEvent.objects.get(seq=seq - 1)
    at = timezone.now()
    fields: dict[str, Any] = {
        "case_id": None,
        "actor_id": None,
        "at": at,
        "action": "decide",
        "from_stage": "panel",
        "to_stage": "closed",
        "reason": "A decision nobody took.",
        "payload": {},
    }
    digest = event_hash(prev_hash=prev.hash, **fields) if hash_right else "f" * 64
    tamper(
        # Two steps, so the unique seq never sees a duplicate mid-statement.
        ("UPDATE audit_auditevent SET seq = -seq WHERE seq >= %s", [seq]),
        ("UPDATE audit_auditevent SET seq = -seq + 1 WHERE seq < 0", []),
        (
            "INSERT INTO audit_auditevent (seq, prev_hash, hash, case_id, actor_id, at, action,"
            " from_stage, to_stage, reason, payload) VALUES"
            " (%s, %s, %s, NULL, NULL, %s, 'decide', 'panel', 'closed', %s, '{}')",
            [seq, prev.hash, digest, at, fields["reason"]],
        ),
    )
    return AuditEvent.objects.get(seq=seq).pk


@pytest.mark.parametrize("hash_right", [True, False], ids=["forger-knows-the-hash", "bad-hash"])
def test_a_forged_row_inserted_into_the_chain_is_named(
    appended: Any, tamper: Any, hash_right: bool
) -> None:
    appended(5)
    forged = _forge_at(3, hash_right=hash_right, tamper=tamper)
    assert broken_at() == (3, forged, Kind.FORGED)
    with pytest.raises(CommandError, match=rf"seq=3 \(id={forged}\): forged \(inserted\)"):
        verify_command()


def test_a_reordering_is_found_at_the_first_event_out_of_place(appended: Any, tamper: Any) -> None:
    events = appended(5)
    tamper(
        "UPDATE audit_auditevent SET seq = -1 WHERE seq = 2",
        "UPDATE audit_auditevent SET seq = 2 WHERE seq = 3",
        "UPDATE audit_auditevent SET seq = 3 WHERE seq = -1",
    )
    # Event 3 now comes second: it links to event 2, which now comes after it.
    assert broken_at() == (2, events[2].pk, Kind.OUT_OF_ORDER)
    with pytest.raises(CommandError, match=rf"seq=2 \(id={events[2].pk}\): out of order"):
        verify_command()


def test_a_renumbering_alone_is_found(appended: Any, tamper: Any) -> None:
    events = appended(3)
    tamper("UPDATE audit_auditevent SET seq = 10 WHERE seq = 3")
    assert broken_at() == (10, events[2].pk, Kind.OUT_OF_ORDER)


def test_only_the_first_break_is_reported(appended: Any, tamper: Any) -> None:
    events = appended(6)
    tamper(
        "UPDATE audit_auditevent SET reason = 'x' WHERE seq = 5",
        "UPDATE audit_auditevent SET reason = 'y' WHERE seq = 2",
    )
    assert broken_at() == (2, events[1].pk, Kind.ALTERED)


def test_an_edit_with_its_hash_recomputed_breaks_the_next_link(appended: Any, tamper: Any) -> None:
    events = appended(4)
    second = AuditEvent.objects.get(seq=2)
    rewritten = event_hash(
        prev_hash=second.prev_hash,
        case_id=None,
        actor_id=None,
        at=second.at,
        action=second.action,
        from_stage="",
        to_stage="",
        reason="rewritten",
        payload=second.payload,
    )
    tamper(
        (
            "UPDATE audit_auditevent SET reason = 'rewritten', hash = %s WHERE seq = 2",
            [rewritten],
        )
    )
    assert broken_at() == (3, events[2].pk, Kind.MISSING)


def test_the_anchor_is_printed_and_checked_later(appended: Any, tamper: Any) -> None:
    appended(3)
    out = verify_command("--anchor").splitlines()
    head = AuditEvent.objects.get(seq=3)
    assert out == ["intact, 3 events", f"anchor 3:{head.hash}"]
    assert verify_command("--expect", f"3:{head.hash}") == "intact, 3 events\n"
    # Cut the newest event off: the chain that is left is intact, the anchor is not.
    tamper("DELETE FROM audit_auditevent WHERE seq = 3")
    assert verify_command() == "intact, 2 events\n"
    with pytest.raises(CommandError, match=r"seq=3 .*missing \(deleted\)"):
        verify_command("--expect", f"3:{head.hash}")


def test_a_malformed_anchor_is_refused() -> None:
    with pytest.raises(CommandError, match="SEQ:HASH"):
        verify_command("--expect", "three")


def test_the_first_event_links_to_genesis(appended: Any) -> None:
    first = appended(1)[0]
    assert (first.seq, first.prev_hash) == (1, GENESIS)
