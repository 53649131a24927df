"""People who choose the daily digest get one email a day; in the app stays immediate."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from audit.models import AuditEvent
from core.errors import ValidationFailed
from notifications.models import Delivery, DeliveryStatus, EmailMode, Kind, Notification
from notifications.services import digests_build, notification_preference_set

from ..workflow.steps import Story
from .outbox import drain

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")


def test_without_a_choice_each_email_is_sent_as_it_happens(story: Story, people: Any) -> None:
    story.submitted()
    drain()
    assert [m.to for m in mail.outbox] == [[people.hr.email]]


def test_a_digest_reader_gets_in_app_notifications_at_once_and_emails_held(
    story: Story, people: Any
) -> None:
    notification_preference_set(user=people.hr, email_mode=EmailMode.DIGEST)
    story.submitted()
    drain()
    assert mail.outbox == []
    note = Notification.objects.get(kind=Kind.SUBMITTED)
    assert note.shown_at is not None
    assert note.deliveries.get(channel="email").status == DeliveryStatus.HELD


def test_the_daily_digest_lists_every_held_email_in_one_email(story: Story, people: Any) -> None:
    notification_preference_set(user=people.hr, email_mode=EmailMode.DIGEST)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=LONDON), tick=False) as clock:
        first = story.submitted()
        second = story.submitted()
        drain()
        clock.move_to(dt.datetime(2026, 3, 3, 7, tzinfo=LONDON))
        assert digests_build() == 1
        drain()
    [digest] = mail.outbox
    assert digest.to == [people.hr.email]
    assert digest.subject == "Your daily Fair Treatment Panel digest"
    assert first.reference in digest.body
    assert second.reference in digest.body
    assert first.employee_name not in digest.body
    assert first.summary not in digest.body
    held = Delivery.objects.filter(notification__kind=Kind.SUBMITTED, channel="email")
    assert set(held.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    # Each bundled email is in its own case's audit trail.
    for case in (first, second):
        [event] = AuditEvent.objects.filter(
            case=case, action="notification_sent", payload__channel="email"
        )
        assert "digest_delivery" in event.payload


def test_the_digest_is_built_once_a_day_and_nothing_is_sent_twice(
    story: Story, people: Any
) -> None:
    notification_preference_set(user=people.hr, email_mode=EmailMode.DIGEST)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=LONDON), tick=False) as clock:
        story.submitted()
        clock.move_to(dt.datetime(2026, 3, 3, 7, tzinfo=LONDON))
        digests_build()
        drain()
        assert digests_build() == 0
        drain()
        clock.move_to(dt.datetime(2026, 3, 4, 7, tzinfo=LONDON))
        assert digests_build() == 0  # nothing new held: no empty digest
    assert len(mail.outbox) == 1


def test_nobody_gets_a_digest_with_nothing_in_it(people: Any) -> None:
    notification_preference_set(user=people.hr, email_mode=EmailMode.DIGEST)
    assert digests_build() == 0
    assert not Notification.objects.filter(kind=Kind.DIGEST).exists()


def test_switching_back_to_immediate_sends_what_was_held(story: Story, people: Any) -> None:
    notification_preference_set(user=people.hr, email_mode=EmailMode.DIGEST)
    story.submitted()
    drain()
    notification_preference_set(user=people.hr, email_mode=EmailMode.IMMEDIATE)
    drain()
    assert len(mail.outbox) == 1


def test_an_unknown_preference_is_refused_with_a_reason(people: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        notification_preference_set(user=people.hr, email_mode="hourly")
    assert refused.value.errors == {"email_mode": ["Choose immediate emails or a daily digest."]}
