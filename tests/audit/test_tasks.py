"""The daily chain check: records itself and an anchor outside the database,
compares the log with the last anchor, and alerts HR leads when the log is
broken, cut short or recomputed."""

from __future__ import annotations

import datetime as dt
import errno
import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from audit.models import AuditEvent, EventType
from audit.tasks import verify_audit_chain
from config.celery import app

from .conftest import published_sha256

pytestmark = pytest.mark.django_db

TASK_NAME = "audit.tasks.verify_audit_chain"


@pytest.fixture
def hr_with_email(story: Any) -> Any:
    story.cast.hr.email = "hana.hr@trust.example"
    story.cast.hr.save()
    return story.cast.hr


def test_it_is_scheduled_daily() -> None:
    app.finalize()
    [entry] = [e for e in app.conf.beat_schedule.values() if e["task"] == TASK_NAME]
    assert entry["schedule"] == crontab(hour=3, minute=15)


def test_an_intact_log_is_recorded_as_checked_and_nobody_is_alerted(
    story: Any, hr_with_email: Any, mailoutbox: list[Any]
) -> None:
    story.formal()
    events = AuditEvent.objects.count()
    assert verify_audit_chain.apply().get() is True
    check = AuditEvent.objects.latest("seq")
    assert (check.action, check.case, check.actor) == (EventType.VERIFY, None, None)
    assert check.payload["intact"] is True
    assert check.payload["events"] == events
    assert check.reason == f"intact, {events} events"
    assert mailoutbox == []


def test_a_broken_log_alerts_hr_leads_without_personal_data(
    story: Any, hr_with_email: Any, tamper: Any, mailoutbox: list[Any], caplog: Any
) -> None:
    case = story.formal()
    second = AuditEvent.objects.get(seq=2)
    tamper(("UPDATE audit_auditevent SET reason = 'softened' WHERE seq = %s", [second.seq]))

    with caplog.at_level(logging.ERROR, logger="audit"):
        assert verify_audit_chain.apply().get() is False

    [mail] = mailoutbox
    assert mail.to == ["hana.hr@trust.example"]
    assert f"seq=2 (id={second.pk}): content altered" in mail.body
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "seq=2" in logged
    for personal in (case.employee_name, case.employee_staff_number, case.summary):
        assert personal not in logged
        assert personal not in mail.body
    check = AuditEvent.objects.latest("seq")
    assert check.payload["intact"] is False
    assert check.payload["broken_seq"] == 2


def test_the_setting_names_who_is_alerted(
    story: Any, hr_with_email: Any, tamper: Any, mailoutbox: list[Any], settings: Any
) -> None:
    settings.FTP_HR_LEAD_EMAILS = ["head.of.er@trust.example", "cpo@trust.example"]
    story.submitted()
    tamper("UPDATE audit_auditevent SET reason = 'x' WHERE seq = 1")
    verify_audit_chain.apply()
    [mail] = mailoutbox
    assert mail.to == ["head.of.er@trust.example", "cpo@trust.example"]


def test_inactive_hr_advisers_and_other_roles_are_not_alerted(
    story: Any, hr_with_email: Any, tamper: Any, mailoutbox: list[Any]
) -> None:
    story.cast.director.email = "dina@trust.example"
    story.cast.director.save()
    story.submitted()
    tamper("DELETE FROM audit_auditevent WHERE seq = 1")
    hr_with_email.is_active = False
    hr_with_email.save()
    verify_audit_chain.apply()
    assert mailoutbox == []  # nobody to tell: logged as an error instead


def anchors(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_each_check_records_an_anchor_outside_the_database(
    appended: Any, anchor_file: Path
) -> None:
    events = appended(3)
    before = timezone.now()
    assert verify_audit_chain.apply().get() is True
    [anchor] = anchors(anchor_file)
    assert (anchor["head_seq"], anchor["head_hash"], anchor["events"]) == (3, events[2].hash, 3)
    assert anchor["key_id"] == settings.FTP_AUDIT_KEYRING.current_id
    assert before <= dt.datetime.fromisoformat(anchor["at"]) <= timezone.now()
    # The next check compares with it and adds its own: the first check is event 4.
    assert verify_audit_chain.apply().get() is True
    assert [a["head_seq"] for a in anchors(anchor_file)] == [3, 4]


def test_the_anchor_is_emailed_to_whoever_keeps_it(
    appended: Any, mailoutbox: list[Any], settings: Any
) -> None:
    settings.FTP_AUDIT_ANCHOR_EMAILS = ["board.secretary@trust.example"]
    events = appended(2)
    verify_audit_chain.apply()
    [mail] = mailoutbox
    assert mail.to == ["board.secretary@trust.example"]
    assert f"verify_audit --trust RAL --expect 2:{events[1].hash}" in mail.body
    assert "(trust RAL)" in mail.subject
    assert settings.FTP_AUDIT_KEYRING.current.secret.decode() not in mail.body


def test_a_log_emptied_after_an_anchor_is_reported_truncated(
    appended: Any, hr_with_email: Any, tamper: Any, mailoutbox: list[Any]
) -> None:
    appended(3)
    assert verify_audit_chain.apply().get() is True
    # A superuser, around the trigger (and past this test transaction's
    # pending foreign-key checks, which would refuse it for another reason).
    tamper("SET CONSTRAINTS ALL IMMEDIATE", "TRUNCATE audit_auditevent")

    assert verify_audit_chain.apply().get() is False
    check = AuditEvent.objects.get()
    assert check.payload["intact"] is False
    assert check.payload["kind"] == "truncated"
    [mail] = mailoutbox
    assert "truncated - the log is empty, but the anchor of" in mail.body


def test_a_cut_tail_is_reported_truncated(
    appended: Any, hr_with_email: Any, tamper: Any, mailoutbox: list[Any]
) -> None:
    appended(5)
    verify_audit_chain.apply()  # anchors seq 5; the check is event 6
    tamper("DELETE FROM audit_auditevent WHERE seq >= 4")

    assert verify_audit_chain.apply().get() is False
    check = AuditEvent.objects.latest("seq")
    assert (check.payload["kind"], check.payload["broken_seq"]) == ("truncated", 5)
    [mail] = mailoutbox
    assert "seq=5: truncated - event seq=5 in the anchor of" in mail.body


def test_a_chain_recomputed_from_the_start_is_an_anchor_mismatch(
    appended: Any, hr_with_email: Any, tamper: Any, mailoutbox: list[Any]
) -> None:
    appended(3)
    verify_audit_chain.apply()  # anchors seq 3
    # Rewrite event 2 and recompute every hash from the first, unkeyed: the
    # chain alone then verifies.
    prev, statements = "0" * 64, []
    for event in AuditEvent.objects.order_by("seq"):
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
    tamper("UPDATE audit_auditevent SET key_id = NULL")

    assert verify_audit_chain.apply().get() is False
    check = AuditEvent.objects.latest("seq")
    assert (check.payload["kind"], check.payload["broken_seq"]) == ("anchor mismatch", 3)
    [mail] = mailoutbox
    assert "anchor mismatch - its hash differs from the anchor of" in mail.body


def test_a_chain_recomputed_with_the_key_is_an_anchor_mismatch(appended: Any, tamper: Any) -> None:
    """Even an insider holding the key cannot rewrite what was anchored."""
    from audit.chain import event_hash

    appended(3)
    verify_audit_chain.apply()
    key, prev, statements = settings.FTP_AUDIT_KEYRING.current, "0" * 64, []
    for event in AuditEvent.objects.order_by("seq"):
        reason = "nothing happened" if event.seq == 1 else event.reason
        digest = event_hash(
            key=key,
            prev_hash=prev,
            case_id=event.case_id,
            actor_id=event.actor_id,
            at=event.at,
            action=event.action,
            from_stage=event.from_stage,
            to_stage=event.to_stage,
            reason=reason,
            payload=event.payload,
        )
        statements.append(
            (
                "UPDATE audit_auditevent SET reason = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                [reason, prev, digest, event.seq],
            )
        )
        prev = digest
    tamper(*statements)
    assert verify_audit_chain.apply().get() is False
    assert AuditEvent.objects.latest("seq").payload["kind"] == "anchor mismatch"


def test_unkeyed_events_after_a_keyed_check_are_forgeries(
    legacy_appended: Any, tamper: Any
) -> None:
    """A log written before keying verifies; once a keyed check anchored it,
    nothing after may be unkeyed, even with no keyed event left before it."""
    legacy_appended(3)
    assert verify_audit_chain.apply().get() is True  # anchors seq 3; the check is event 4
    check = AuditEvent.objects.get(seq=4)
    digest = published_sha256(check, prev_hash=check.prev_hash, reason="intact, 3 events")
    tamper(("UPDATE audit_auditevent SET key_id = NULL, hash = %s WHERE seq = 4", [digest]))

    assert verify_audit_chain.apply().get() is False
    latest = AuditEvent.objects.latest("seq")
    assert (latest.payload["kind"], latest.payload["broken_seq"]) == ("forged (inserted)", 4)


def test_a_broken_log_is_not_anchored(appended: Any, tamper: Any, anchor_file: Path) -> None:
    appended(3)
    verify_audit_chain.apply()
    tamper("UPDATE audit_auditevent SET reason = 'x' WHERE seq = 2")
    verify_audit_chain.apply()
    verify_audit_chain.apply()
    assert [a["head_seq"] for a in anchors(anchor_file)] == [3]  # still compared with the good one


def test_a_malformed_anchor_file_is_reported_not_crashed_on(
    appended: Any, anchor_file: Path, hr_with_email: Any, mailoutbox: list[Any]
) -> None:
    appended(2)
    anchor_file.parent.mkdir(parents=True)
    anchor_file.write_text('{"head_seq": 2}\n')
    assert verify_audit_chain.apply().get() is False
    check = AuditEvent.objects.latest("seq")
    assert check.payload["kind"] == "anchor mismatch"
    assert "line 1 is not an anchor" in check.reason
    [mail] = mailoutbox
    assert "line 1 is not an anchor" in mail.body
    assert anchor_file.read_text() == '{"head_seq": 2}\n'  # kept as found


def test_an_anchor_that_cannot_be_written_alerts_hr_leads(
    appended: Any, anchor_file: Path, hr_with_email: Any, mailoutbox: list[Any], monkeypatch: Any
) -> None:
    def disk_full(path: Path, line: str) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr("audit.anchors.append_line", disk_full)
    appended(2)
    assert verify_audit_chain.apply().get() is True  # the log itself verified
    assert AuditEvent.objects.latest("seq").action == EventType.VERIFY
    [mail] = mailoutbox
    assert mail.subject == "Audit log anchor not recorded"
    assert f"{anchor_file}: No space left on device" in mail.body
