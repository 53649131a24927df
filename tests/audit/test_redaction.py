"""Redacting a destroyed case file's events keeps the chain verifiable, and
only a redaction a signed ``case_destroyed`` event lists is trusted."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.redaction import REDACTED_PAYLOAD, audit_case_redact
from audit.verify import Kind, verify_log
from core.errors import DomainError
from workflow.models import Case

REASON = "Retention period ended."
# What a superuser could run around the triggers (the ``tamper`` fixture).
REDACT_SQL = (
    "UPDATE audit_auditevent SET reason = '', payload = %s, redacted_at = now() WHERE id = %s"
)


def destroyed(case: Case) -> Case:
    """Mark the case destroyed, as records.retention does before redacting."""
    Case.objects.filter(pk=case.pk).update(destroyed_at=timezone.now())
    return case


def texts(case: Case) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(case=case).exclude(reason="", payload={}).order_by("seq"))


def test_redacted_events_listed_by_a_later_case_destroyed_event_verify(story, cast):
    case = destroyed(story.closed())
    before = texts(case)
    assert before
    done = audit_case_redact(case=case, actor=cast.hr, reason=REASON, payload={"n": 1})
    assert done.payload["redacted_seqs"] == [e.seq for e in before]
    for event in AuditEvent.objects.filter(pk__in=[e.pk for e in before]):
        assert (event.reason, event.payload) == ("", REDACTED_PAYLOAD)
        assert event.redacted_at is not None
    report = verify_log()
    assert report.intact, str(report)


def test_a_redaction_no_case_destroyed_event_lists_breaks_the_chain(story, tamper):
    case = destroyed(story.closed())
    target = texts(case)[0]
    tamper(
        (
            REDACT_SQL,
            [json.dumps(REDACTED_PAYLOAD), target.pk],
        )
    )
    report = verify_log()
    assert report.breakage is not None
    assert (report.breakage.seq, report.breakage.kind) == (target.seq, Kind.ALTERED)
    assert "no later case_destroyed event lists it" in report.breakage.detail


def test_a_listing_added_to_a_genuine_case_destroyed_event_is_found(story, cast, tamper):
    first = destroyed(story.closed())
    done = audit_case_redact(case=first, actor=cast.hr, reason=REASON, payload={})
    second = story.closed()
    victim = texts(second)[0]
    listing = {**done.payload, "redacted_seqs": [*done.payload["redacted_seqs"], victim.seq]}
    tamper(
        (
            REDACT_SQL,
            [json.dumps(REDACTED_PAYLOAD), victim.pk],
        ),
        ("UPDATE audit_auditevent SET payload = %s WHERE id = %s", [json.dumps(listing), done.pk]),
    )
    report = verify_log()
    assert report.breakage is not None
    assert report.breakage.kind == Kind.ALTERED
    assert report.breakage.seq in (done.seq, victim.seq)


def test_the_log_refuses_to_redact_an_event_of_a_live_case(story):
    case = story.closed()
    target = texts(case)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(pk=target.pk).update(
            reason="", payload=REDACTED_PAYLOAD, redacted_at=timezone.now()
        )


def test_the_log_refuses_any_other_change_to_a_destroyed_cases_events(story):
    case = destroyed(story.closed())
    target = texts(case)[0]
    for change in (
        {"reason": "Something else entirely.", "redacted_at": timezone.now()},
        {"reason": "", "payload": {"redacted": True, "kept": "x"}, "redacted_at": timezone.now()},
        {"reason": "", "payload": REDACTED_PAYLOAD, "redacted_at": timezone.now(), "action": "x"},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            AuditEvent.objects.filter(pk=target.pk).update(**change)


def test_a_case_with_events_still_pending_is_refused(story, cast):
    case = destroyed(story.closed())
    pending = AuditEvent(
        case=case, actor=cast.hr, at=timezone.now(), action="view_special_category", hash="x"
    )
    # Inserted as the sequencer would find it: no seq yet.
    pending.save(force_insert=True)
    with pytest.raises(DomainError, match="still being chained"):
        audit_case_redact(case=case, actor=cast.hr, reason=REASON, payload={})
