"""The daily chain check: records itself, and alerts HR leads when the log is broken."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from celery.schedules import crontab

from audit.models import AuditEvent, EventType
from audit.tasks import verify_audit_chain
from config.celery import app

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
    assert check.payload["intact"] is True and check.payload["events"] == events
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
        assert personal not in logged and personal not in mail.body
    check = AuditEvent.objects.latest("seq")
    assert check.payload["intact"] is False and check.payload["broken_seq"] == 2


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
