"""Attacks on the redaction of a destroyed case file's audit events.

The threat is ADR 0011's: someone who can write to the database (raw SQL,
the triggers switched off as a superuser can) but does not hold the audit
key, and a careless developer. Each test performs one attack and asserts the
database refuses it or ``verify_log`` names the event.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from audit import services
from audit.chain import redaction_fingerprint
from audit.models import AuditEvent, EventType
from audit.redaction import REDACTED_PAYLOAD, audit_case_redact
from audit.services import audit_record, audit_sequence
from audit.verify import FINGERPRINTS, LISTED, Kind, Report, verify_log
from workflow.models import Case

from .test_redaction import REDACT_SQL, destroyed, texts

REASON = "Retention period ended."
BLANK = json.dumps(REDACTED_PAYLOAD)
Tamper = Callable[..., None]


def redact(case: Case, actor: Any) -> AuditEvent:
    """Destroy ``case``'s audit text as records.retention does, and chain it all."""
    done = audit_case_redact(case=destroyed(case), actor=actor, reason=REASON, payload={})
    audit_sequence()
    done.refresh_from_db()
    assert verify_log().intact
    return done


def redacted(case: Case) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(case=case, redacted_at__isnull=False).order_by("seq"))


def broken(report: Report, event: AuditEvent, kind: Kind, detail: str = "") -> None:
    assert report.breakage is not None, "the attack went unnoticed"
    assert (report.breakage.seq, report.breakage.kind) == (event.seq, kind), str(report)
    assert detail in report.breakage.detail


# 1. Redacting an event of a case that is not destroyed --------------------------


def test_the_trigger_refuses_to_redact_a_live_cases_event_and_the_verifier_finds_it_bypassed(
    story: Any, tamper: Tamper
) -> None:
    target = texts(story.closed())[0]
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(REDACT_SQL, [BLANK, target.pk])
    tamper((REDACT_SQL, [BLANK, target.pk]))
    broken(verify_log(), target, Kind.ALTERED, "no later case_destroyed event lists it")


def test_disabling_the_trigger_as_a_superuser_is_found_too(story: Any, attacker_role: str) -> None:
    target = texts(story.closed())[0]
    with connection.cursor() as cursor:
        # (The test's deferred foreign-key checks first: ALTER TABLE waits for none.)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"SET ROLE {attacker_role}")
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute(REDACT_SQL, [BLANK, target.pk])
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        cursor.execute("RESET ROLE")
    broken(verify_log(), target, Kind.ALTERED, "no later case_destroyed event lists it")


def test_marking_a_live_case_destroyed_for_a_moment_does_not_cover_a_redaction(
    story: Any,
) -> None:
    case = story.closed()
    target = texts(case)[0]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE workflow_case SET destroyed_at = now() WHERE id = %s", [case.pk])
        cursor.execute(REDACT_SQL, [BLANK, target.pk])  # the trigger lets this pass
        cursor.execute("UPDATE workflow_case SET destroyed_at = NULL WHERE id = %s", [case.pk])
    broken(verify_log(), target, Kind.ALTERED, "no later case_destroyed event lists it")


# 2. Redactions the listing does not cover ------------------------------------------


def test_an_event_of_a_destroyed_case_appended_after_its_listing_cannot_be_redacted(
    story: Any, cast: Any
) -> None:
    case = story.closed()
    redact(case, cast.hr)
    later = audit_record(case=case, actor=cast.hr, action="note", reason="Seen by HR.")
    audit_sequence()
    later.refresh_from_db()
    with connection.cursor() as cursor:
        cursor.execute(
            REDACT_SQL, [BLANK, later.pk]
        )  # the case is destroyed: the trigger allows it
    broken(verify_log(), later, Kind.ALTERED, "no later case_destroyed event lists it")


def test_another_cases_listing_does_not_vouch_for_an_event(story: Any, cast: Any) -> None:
    """Nobody without the key can make a listing name another case's event;
    a careless caller with the key could, and the verifier refuses it."""
    victim_case = destroyed(story.closed())
    victim = texts(victim_case)[0]
    other = destroyed(story.closed())
    with connection.cursor() as cursor:
        cursor.execute(REDACT_SQL, [BLANK, victim.pk])
    victim.refresh_from_db()
    audit_record(
        case=other,
        actor=cast.hr,
        action=EventType.CASE_DESTROYED,
        payload={
            LISTED: [victim.seq],
            FINGERPRINTS: {str(victim.seq): redaction_fingerprint(victim)},
        },
    )
    broken(verify_log(), victim, Kind.ALTERED, "another case's")
    audit_sequence()  # chained or pending, the same
    broken(verify_log(), victim, Kind.ALTERED, "another case's")


# 3. Changing, moving or deleting a redacted event ----------------------------------


def test_changing_what_a_redacted_event_kept_is_found(
    story: Any, cast: Any, tamper: Tamper
) -> None:
    case = story.panel()  # several events with text: a run of redacted ones
    redact(case, cast.hr)
    first, second = redacted(case)[:2]
    for sql, params in (
        ("UPDATE audit_auditevent SET actor_id = %s WHERE id = %s", [cast.director.pk]),
        ("UPDATE audit_auditevent SET at = at - interval '1 day' WHERE id = %s", []),
        ("UPDATE audit_auditevent SET action = 'withdraw' WHERE id = %s", []),
        ("UPDATE audit_auditevent SET to_stage = 'closed' WHERE id = %s", []),
    ):
        sid = transaction.savepoint()
        tamper((sql, [*params, second.pk]))
        broken(verify_log(), second, Kind.ALTERED, "differs from what case_destroyed")
        transaction.savepoint_rollback(sid)
    # Its hash rewritten, the next redacted event relinked to it: every link holds.
    tamper(
        ("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["f" * 64, first.pk]),
        ("UPDATE audit_auditevent SET prev_hash = %s WHERE id = %s", ["f" * 64, second.pk]),
    )
    broken(verify_log(), first, Kind.ALTERED, "differs from what case_destroyed")


def test_new_text_in_a_redacted_event_is_found(story: Any, cast: Any, tamper: Tamper) -> None:
    case = story.closed()
    redact(case, cast.hr)
    target = redacted(case)[0]
    sid = transaction.savepoint()
    tamper(
        (
            "UPDATE audit_auditevent SET reason = 'Admitted everything.' WHERE id = %s",
            [target.pk],
        )
    )
    broken(verify_log(), target, Kind.ALTERED, "marked redacted, but it holds text")
    transaction.savepoint_rollback(sid)
    # Un-redacted with invented content: it no longer matches its hash.
    tamper(
        (
            "UPDATE audit_auditevent SET reason = 'Invented.', payload = '{}', redacted_at = NULL"
            " WHERE id = %s",
            [target.pk],
        )
    )
    broken(verify_log(), target, Kind.ALTERED, "does not match its content")


def test_text_put_back_after_a_destruction_is_found(story: Any, cast: Any, tamper: Tamper) -> None:
    """Its original text restored (from an old backup, say): it verifies
    against its own hash, but the file was destroyed and it is listed."""
    case = story.closed()
    original = texts(case)[0]
    redact(case, cast.hr)
    tamper(
        (
            "UPDATE audit_auditevent SET reason = %s, payload = %s, redacted_at = NULL"
            " WHERE id = %s",
            [original.reason, json.dumps(original.payload), original.pk],
        )
    )
    broken(verify_log(), original, Kind.ALTERED, "its text was put back")


def test_deleting_or_reordering_redacted_events_is_found(
    story: Any, cast: Any, tamper: Tamper
) -> None:
    case = story.panel()
    redact(case, cast.hr)
    first, second = redacted(case)[:2]
    sid = transaction.savepoint()
    tamper(("DELETE FROM audit_auditevent WHERE id = %s", [first.pk]))
    assert verify_log().breakage is not None
    transaction.savepoint_rollback(sid)
    # Deleted, the next redacted event relinked past it and every later seq
    # moved down one: the links and the numbering hold.
    sid = transaction.savepoint()
    tamper(
        ("DELETE FROM audit_auditevent WHERE id = %s", [first.pk]),
        (
            "UPDATE audit_auditevent SET prev_hash = %s WHERE id = %s",
            [first.prev_hash, second.pk],
        ),
        ("UPDATE audit_auditevent SET seq = -seq WHERE seq > %s", [first.seq]),
        ("UPDATE audit_auditevent SET seq = -seq - 1 WHERE seq < 0", []),
    )
    report = verify_log()
    assert report.breakage is not None
    assert report.breakage.kind == Kind.ALTERED, str(report)
    transaction.savepoint_rollback(sid)
    # Swapped.
    tamper(
        ("UPDATE audit_auditevent SET seq = -1 WHERE id = %s", [first.pk]),
        ("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [first.seq, second.pk]),
        ("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [second.seq, first.pk]),
    )
    assert verify_log().breakage is not None


# 4. The signed listing itself -------------------------------------------------------


def test_editing_the_listing_is_found(story: Any, cast: Any, tamper: Tamper) -> None:
    case = story.closed()
    done = redact(case, cast.hr)
    seqs = done.payload[LISTED]
    for listing in (seqs[1:], [*seqs, 1]):
        sid = transaction.savepoint()
        payload = {**done.payload, LISTED: listing}
        tamper(
            (
                "UPDATE audit_auditevent SET payload = %s WHERE id = %s",
                [json.dumps(payload), done.pk],
            )
        )
        broken(verify_log(), done, Kind.ALTERED, "does not match its content")
        transaction.savepoint_rollback(sid)


def test_redacting_the_listing_itself_is_refused_and_found(
    story: Any, cast: Any, tamper: Tamper
) -> None:
    """The trigger refuses it (audit 0012); with the trigger off, the blank
    listing lists nothing, so the first event it listed is reported."""
    case = story.closed()
    done = redact(case, cast.hr)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(REDACT_SQL, [BLANK, done.pk])
    tamper((REDACT_SQL, [BLANK, done.pk]))
    broken(verify_log(), redacted(case)[0], Kind.ALTERED, "no later case_destroyed event lists it")


# 5. Half a redaction ----------------------------------------------------------------


def test_half_a_redaction_is_refused_and_found(story: Any, tamper: Tamper) -> None:
    case = destroyed(story.closed())
    target = texts(case)[0]
    marked: tuple[str, list[Any]] = (
        "UPDATE audit_auditevent SET redacted_at = now() WHERE id = %s",
        [target.pk],
    )
    blanked = "UPDATE audit_auditevent SET reason = '', payload = %s WHERE id = %s"
    attempts: list[tuple[str, list[Any]]] = [marked, (blanked, [BLANK, target.pk])]
    for sql, params in attempts:
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    sid = transaction.savepoint()
    tamper(marked)
    broken(verify_log(), target, Kind.ALTERED, "marked redacted, but it holds text")
    transaction.savepoint_rollback(sid)
    tamper((blanked, [BLANK, target.pk]))
    broken(verify_log(), target, Kind.ALTERED, "does not match its content")


# 6. A pending listing -------------------------------------------------------------------


def test_a_forged_pending_listing_is_not_believed(story: Any, cast: Any, tamper: Tamper) -> None:
    case = destroyed(story.closed())
    target = texts(case)[0]
    audit_sequence()
    target.refresh_from_db()
    tamper(
        (REDACT_SQL, [BLANK, target.pk]),
        (
            "INSERT INTO audit_auditevent (seq, prev_hash, hash, key_id, case_id, actor_id, at,"
            " action, from_stage, to_stage, reason, payload) VALUES"
            " (NULL, '', %s, %s, %s, %s, now(), 'case_destroyed', '', '', '', %s)",
            [
                "0" * 64,
                target.key_id,
                case.pk,
                cast.hr.pk,
                json.dumps(
                    {
                        LISTED: [target.seq],
                        FINGERPRINTS: {str(target.seq): redaction_fingerprint(target)},
                    }
                ),
            ],
        ),
    )
    # The redaction is named, not only the pending event's bad seal.
    broken(verify_log(), target, Kind.ALTERED, "no later case_destroyed event lists it")


def test_a_genuine_pending_listing_is_believed(
    story: Any, cast: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = destroyed(story.closed())
    audit_sequence()
    # The chain lock busy elsewhere: the destruction's event waits, sealed.
    monkeypatch.setattr(services, "next_link", lambda appends: None)
    done = audit_case_redact(case=case, actor=cast.hr, reason=REASON, payload={})
    assert done.pending
    assert verify_log().intact


# 7. Anchors -------------------------------------------------------------------------------


def test_an_anchor_taken_before_a_destruction_still_matches(story: Any, cast: Any) -> None:
    case = story.closed()
    audit_sequence()
    out = StringIO()
    call_command("verify_audit", "--anchor", stdout=out)
    anchor = out.getvalue().split()[-1]
    redact(case, cast.hr)
    out = StringIO()
    call_command("verify_audit", "--expect", anchor, stdout=out)
    assert out.getvalue().startswith("intact"), out.getvalue()
