"""verify_audit finds every kind of tampering done around the triggers, and
names the first broken event; an intact log verifies, an empty one proves
nothing; every run is itself recorded."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from audit.chain import GENESIS, event_hash
from audit.keyring import Keyring, keyring_from_config
from audit.models import AuditEvent
from audit.verify import Kind, verify_log

from .conftest import published_sha256

pytestmark = pytest.mark.django_db


def verify_command(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def broken_at() -> tuple[int, int, Kind]:
    report = verify_log(chunk_size=2)  # several chunks even for a short log
    assert report.breakage is not None, "the tampering went unnoticed"
    return report.breakage.seq, report.breakage.id, report.breakage.kind


def test_an_empty_log_is_empty_not_intact_and_exits_3() -> None:
    with pytest.raises(CommandError, match="empty: no events to verify") as raised:
        verify_command()
    assert raised.value.returncode == 3


def test_an_edit_with_every_later_hash_recomputed_without_the_key_is_found(
    appended: Any, tamper: Any
) -> None:
    events = appended(4)
    prev, statements = events[0].hash, []
    for event in AuditEvent.objects.filter(seq__gte=2).order_by("seq"):
        reason = "nothing happened" if event.seq == 2 else event.reason
        digest = published_sha256(event, prev_hash=prev, reason=reason)
        statements.append(
            (
                "UPDATE audit_auditevent SET reason = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                [reason, prev, digest, event.seq],
            )
        )
        prev = digest
    tamper(*statements)
    with pytest.raises(CommandError, match=rf"seq=2 \(id={events[1].pk}\): content altered"):
        verify_command()


def test_recomputing_as_unkeyed_events_after_a_keyed_one_is_a_forgery(
    appended: Any, tamper: Any
) -> None:
    events = appended(4)
    prev, statements = events[0].hash, []
    for event in AuditEvent.objects.filter(seq__gte=2).order_by("seq"):
        reason = "nothing happened" if event.seq == 2 else event.reason
        digest = published_sha256(event, prev_hash=prev, reason=reason)
        statements.append(
            (
                "UPDATE audit_auditevent SET reason = %s, prev_hash = %s, hash = %s,"
                " key_id = NULL WHERE seq = %s",
                [reason, prev, digest, event.seq],
            )
        )
        prev = digest
    tamper(*statements)
    assert broken_at() == (2, events[1].pk, Kind.FORGED)
    with pytest.raises(CommandError, match=r"seq=2 .*forged \(inserted\) - unkeyed \(version 1\)"):
        verify_command()


def test_the_command_is_recorded_as_a_check_by_its_actor(appended: Any, cast: Any) -> None:
    appended(2)
    assert verify_command("--actor", cast.hr.username) == "intact, 2 events\n"
    check = AuditEvent.objects.latest("seq")
    assert (check.seq, check.action, check.actor, check.case) == (3, "verify_audit", cast.hr, None)
    assert check.payload["intact"] is True
    assert check.payload["events"] == 2
    assert check.reason == "intact, 2 events"
    verify_command()
    assert AuditEvent.objects.latest("seq").actor is None  # the system, by default


def test_an_unknown_actor_is_refused_and_nothing_is_recorded(appended: Any) -> None:
    appended(1)
    with pytest.raises(CommandError, match="no active user named 'nobody'"):
        verify_command("--actor", "nobody")
    assert AuditEvent.objects.count() == 1


def test_a_break_found_by_the_command_alerts_hr_leads(
    appended: Any, tamper: Any, mailoutbox: list[Any], settings: Any
) -> None:
    settings.FTP_HR_LEAD_EMAILS = ["head.of.er@trust.example"]
    appended(3)
    tamper("UPDATE audit_auditevent SET reason = 'x' WHERE seq = 2")
    with pytest.raises(CommandError, match="content altered"):
        verify_command()
    [mail] = mailoutbox
    assert mail.to == ["head.of.er@trust.example"]
    assert "seq=2" in mail.body
    assert AuditEvent.objects.latest("seq").payload["broken_seq"] == 2


def test_an_intact_log_verifies_in_chunks(appended: Any) -> None:
    appended(7)
    assert str(verify_log(chunk_size=3)) == "intact, 7 events"
    assert verify_command() == "intact, 7 events\n"


def test_a_whole_case_path_through_the_services_verifies(story: Any) -> None:
    story.formal()
    report = verify_log()
    assert report.intact
    assert report.events == AuditEvent.objects.count() >= 5


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
    # hash_right: an insider who holds the key as well as the database.
    key = settings.FTP_AUDIT_KEYRING.current
    digest = event_hash(key=key, prev_hash=prev.hash, **fields) if hash_right else "f" * 64
    tamper(
        # Two steps, so the unique seq never sees a duplicate mid-statement.
        ("UPDATE audit_auditevent SET seq = -seq WHERE seq >= %s", [seq]),
        ("UPDATE audit_auditevent SET seq = -seq + 1 WHERE seq < 0", []),
        (
            "INSERT INTO audit_auditevent (seq, prev_hash, hash, key_id, case_id, actor_id, at,"
            " action, from_stage, to_stage, reason, payload) VALUES"
            " (%s, %s, %s, %s, NULL, NULL, %s, 'decide', 'panel', 'closed', %s, '{}')",
            [seq, prev.hash, digest, key.id, at, fields["reason"]],
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
    rewritten = event_hash(  # by an insider who holds the key
        key=settings.FTP_AUDIT_KEYRING.current,
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


def test_the_anchor_is_printed_recorded_and_checked_later(
    appended: Any, tamper: Any, anchor_file: Any
) -> None:
    appended(3)
    out = verify_command("--anchor").splitlines()
    head = AuditEvent.objects.get(seq=3)
    assert out == ["intact, 3 events", f"anchor 3:{head.hash}"]
    recorded = json.loads(anchor_file.read_text())
    assert (recorded["head_seq"], recorded["head_hash"], recorded["events"]) == (3, head.hash, 3)
    # The check itself is event 4.
    assert verify_command("--expect", f"3:{head.hash}") == "intact, 4 events\n"
    # Cut the tail from the anchored event on: the chain left is intact, the anchor is not.
    tamper("DELETE FROM audit_auditevent WHERE seq >= 3")
    assert str(verify_log()) == "intact, 2 events"
    with pytest.raises(CommandError, match=r"seq=3: truncated - event seq=3 .* is gone"):
        verify_command("--expect", f"3:{head.hash}")


def test_an_expected_anchor_alone_finds_the_event_replaced(appended: Any, tamper: Any) -> None:
    events = appended(3)
    tamper("DELETE FROM audit_auditevent WHERE seq = 3")
    assert str(verify_log()) == "intact, 2 events"  # the chain alone cannot tell
    appended(1)  # a new event 3 in its place
    with pytest.raises(CommandError, match=r"seq=3 .*anchor mismatch"):
        verify_command("--expect", f"3:{events[2].hash}")


def test_a_malformed_anchor_is_refused() -> None:
    with pytest.raises(CommandError, match="SEQ:HASH"):
        verify_command("--expect", "three")


def test_the_first_event_links_to_genesis(appended: Any) -> None:
    first = appended(1)[0]
    assert (first.seq, first.prev_hash) == (1, GENESIS)


def test_a_hash_rewritten_as_any_text_is_found_not_crashed_on(appended: Any, tamper: Any) -> None:
    events = appended(2)
    tamper("UPDATE audit_auditevent SET hash = 'ünïcödé' WHERE seq = 2")
    assert broken_at() == (2, events[1].pk, Kind.ALTERED)


def _keys(current: str, **secrets: str) -> Keyring:
    entries = ",".join(f"{key_id}={secret}" for key_id, secret in secrets.items())
    return keyring_from_config(keys=entries, current_id=current, production=True)


def test_after_rotation_old_events_verify_with_their_old_key(appended: Any, settings: Any) -> None:
    old, new = "o" * 40, "n" * 40
    settings.FTP_AUDIT_KEYRING = _keys("2026a", **{"2026a": old})
    appended(2)
    settings.FTP_AUDIT_KEYRING = _keys("2026b", **{"2026a": old, "2026b": new})
    appended(2)
    assert list(AuditEvent.objects.values_list("key_id", flat=True)) == [
        "2026a",
        "2026a",
        "2026b",
        "2026b",
    ]
    assert str(verify_log()) == "intact, 4 events"
    # The old key dropped from the configuration: its events cannot be proven.
    settings.FTP_AUDIT_KEYRING = _keys("2026b", **{"2026b": new})
    report = verify_log()
    assert report.breakage is not None
    assert (report.breakage.seq, report.breakage.kind) == (1, Kind.UNKNOWN_KEY)
    assert "key id '2026a' is not configured" in str(report)


def test_a_key_id_relabelled_to_another_configured_key_is_found(
    appended: Any, tamper: Any, settings: Any
) -> None:
    settings.FTP_AUDIT_KEYRING = _keys("2026b", **{"2026a": "o" * 40, "2026b": "n" * 40})
    events = appended(2)
    tamper("UPDATE audit_auditevent SET key_id = '2026a' WHERE seq = 2")
    assert broken_at() == (2, events[1].pk, Kind.ALTERED)


def test_events_written_before_keying_verify_and_keyed_ones_follow(
    legacy_appended: Any, appended: Any
) -> None:
    legacy_appended(3)
    appended(2)
    assert (
        list(AuditEvent.objects.values_list("key_id", flat=True))
        == [None] * 3 + [settings.FTP_AUDIT_KEYRING.current_id] * 2
    )
    assert str(verify_log(chunk_size=2)) == "intact, 5 events"
    assert verify_command() == "intact, 5 events\n"


def test_an_unkeyed_event_after_a_keyed_one_is_a_forgery(
    appended: Any, legacy_appended: Any
) -> None:
    appended(2)
    [forged] = legacy_appended(1)
    assert broken_at() == (3, forged.pk, Kind.FORGED)
    with pytest.raises(CommandError, match=r"seq=3 .*unkeyed \(version 1\) after the keyed event"):
        verify_command()
