"""A message says "today" only of today (issue 18: a sweep that fired a
12 October escalation on 30 November sent "Case … is due today" with the body
"due today, Monday 12 October 2026")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from notifications.messages import email_body, email_subject, inapp_text
from notifications.models import Kind, Notification
from notifications.services import notifications_record
from notifications.services.batch import NoticeEvent, notifications_record_many

from ..workflow.steps import Story

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC)  # a Monday
EARLIER = dt.date(2026, 10, 12)  # also a Monday


def _told(story: Story, people: Any, kind: str, due_on: dt.date) -> Notification:
    case = story.submitted()
    notifications_record(
        event_key=f"{kind}:{case.pk}:test",
        kind=kind,
        recipients=[people.hr],
        case=case,
        step="triage",
        due_on=due_on,
    )
    return Notification.objects.get(event_key=f"{kind}:{case.pk}:test")


def _ref(told: Notification) -> str:
    assert told.case is not None
    return told.case.reference


@time_machine.travel(TODAY, tick=False)
def test_due_today_says_today(story: Story, people: Any) -> None:
    told = _told(story, people, Kind.OVERDUE_HR, TODAY.date())
    assert "is due today (30 Nov 2026)" in inapp_text(told)
    assert email_subject(told) == f"Case {_ref(told)} is due today"
    assert "is due today, Monday 30 November 2026" in email_body(told)


@time_machine.travel(TODAY, tick=False)
def test_an_escalation_for_an_earlier_day_never_says_today(story: Story, people: Any) -> None:
    told = _told(story, people, Kind.OVERDUE_HR, EARLIER)
    text, subject, body = inapp_text(told), email_subject(told), email_body(told)
    for message in (text, subject, body):
        assert "today" not in message
    assert "was due on 12 Oct 2026" in text
    assert subject == f"Case {_ref(told)} was due on 12 October 2026"
    assert "was due on Monday 12 October 2026 and had not been done" in body


def test_a_due_today_notice_read_the_next_day_says_when_it_was_due(
    story: Story, people: Any
) -> None:
    with time_machine.travel(TODAY, tick=False):
        told = _told(story, people, Kind.OVERDUE_HR, TODAY.date())
    with time_machine.travel(TODAY + dt.timedelta(days=1), tick=False):
        assert "today" not in inapp_text(told)
        assert "was due on 30 Nov 2026" in inapp_text(told)


@time_machine.travel(TODAY, tick=False)
def test_a_reminder_for_a_past_date_says_was(story: Story, people: Any) -> None:
    told = _told(story, people, Kind.REMINDER, EARLIER)
    assert "was due on 12 Oct 2026" in inapp_text(told)
    assert email_subject(told) == f"Reminder: case {_ref(told)} was due on 12 October 2026"
    assert "was due on Monday 12 October 2026" in email_body(told)


@time_machine.travel(TODAY, tick=False)
def test_a_concern_acknowledgement_for_a_past_date_never_says_today(people: Any) -> None:
    notifications_record(
        event_key="ack-due:test",
        kind=Kind.CONCERN_ACK_DUE,
        recipients=[people.hr],
        due_on=EARLIER,
    )
    told = Notification.objects.get(event_key="ack-due:test")
    for message in (inapp_text(told), email_subject(told), email_body(told)):
        assert "today" not in message
        assert "12 Oct" in message


@time_machine.travel(TODAY, tick=False)
def test_a_bundle_counts_a_passed_due_today_step_as_overdue(story: Story, people: Any) -> None:
    case = story.submitted()
    items = [
        {"case": case.pk, "kind": Kind.OVERDUE_HR, "step": "triage", "due_on": "2026-10-12"},
        {"case": case.pk, "kind": Kind.OVERDUE_HR, "step": "triage", "due_on": "2026-11-30"},
    ]
    notifications_record_many(
        events=[
            NoticeEvent(
                event_key="bundle:test",
                kind=Kind.DUE_STEPS,
                recipients=[people.hr],
                items=items,
            )
        ]
    )
    told = Notification.objects.get(event_key="bundle:test")
    assert inapp_text(told) == "2 steps need attention: 1 overdue, 1 due today and not done."
    body = email_body(told)
    assert "Triage, overdue (due 12 October 2026)" in body
    assert "Triage, due today and not done (due 30 November 2026)" in body
