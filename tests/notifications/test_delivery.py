"""Each delivery is sent once: claimed, sent, recorded with a fencing token."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from celery.exceptions import Retry
from django.core import mail

from audit.models import AuditEvent
from notifications.channels import channel_for
from notifications.models import Delivery, DeliveryStatus, Kind, Notification
from notifications.services import delivery_send
from notifications.services.delivery import DeliveryBusy, DeliveryFailed, Outcome

from ..workflow.steps import Story
from .outbox import drain

pytestmark = pytest.mark.django_db


def _email_of(kind: str) -> Delivery:
    return Delivery.objects.get(notification__kind=kind, channel="email")


def test_an_email_is_sent_once_however_often_its_task_runs(story: Story, people: Any) -> None:
    story.submitted()
    delivery = _email_of(Kind.SUBMITTED)
    assert delivery_send(delivery_id=delivery.pk) == Outcome.SENT
    assert delivery_send(delivery_id=delivery.pk) == Outcome.DONE_ALREADY
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)


def test_the_email_names_the_reference_and_nothing_about_the_employee(
    story: Story, people: Any
) -> None:
    case = story.submitted()
    drain()
    [message] = mail.outbox
    assert message.to == [people.hr.email]
    assert case.reference in message.subject
    assert case.reference in message.body
    private_details = (
        case.employee_name,
        case.summary,
        case.employee_staff_number,
        case.get_employee_ethnic_category_display(),
    )
    for private in private_details:
        assert private not in message.body
        assert private not in message.subject
    assert message.extra_headers["Message-ID"].startswith("<ftp-delivery-")


def test_in_the_app_a_notification_appears_once_it_is_delivered(story: Story, people: Any) -> None:
    story.submitted()
    note = Notification.objects.get(kind=Kind.SUBMITTED)
    assert note.shown_at is None
    drain()
    note.refresh_from_db()
    assert note.shown_at is not None


def test_every_notification_sent_is_in_the_case_audit_trail(story: Story, people: Any) -> None:
    case = story.submitted()
    drain()
    sent = AuditEvent.objects.filter(case=case, action="notification_sent")
    assert sorted(e.payload["channel"] for e in sent) == ["email", "inapp"]
    for event in sent:
        assert event.actor is None
        assert event.payload["recipient"] == people.hr.pk
        assert event.payload["kind"] == Kind.SUBMITTED
        assert set(event.payload) <= {"kind", "channel", "recipient", "delivery", "attempt", "step"}


def test_a_failed_send_is_released_with_backoff_and_retried(
    story: Story, people: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.failing_mail.EmailBackend"
    story.submitted()
    delivery = _email_of(Kind.SUBMITTED)
    with pytest.raises(DeliveryFailed) as failed:
        delivery_send(delivery_id=delivery.pk)
    assert failed.value.countdown == 5
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        DeliveryStatus.PENDING,
        1,
        "ConnectionRefusedError",
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert delivery_send(delivery_id=delivery.pk) == Outcome.SENT
    assert len(mail.outbox) == 1


def test_the_backoff_doubles_and_the_log_gives_up_after_the_last_attempt(
    story: Story, people: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.failing_mail.EmailBackend"
    settings.FTP_NOTIFY_MAX_ATTEMPTS = 3
    story.submitted()
    delivery = _email_of(Kind.SUBMITTED)
    countdowns = []
    for _ in range(2):
        with pytest.raises(DeliveryFailed) as failed:
            delivery_send(delivery_id=delivery.pk)
        countdowns.append(failed.value.countdown)
    assert countdowns == [5, 10]
    assert delivery_send(delivery_id=delivery.pk) == Outcome.GAVE_UP
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


def test_a_delivery_leased_to_another_sender_is_left_alone_until_the_lease_ends(
    story: Story, people: Any, settings: Any
) -> None:
    settings.FTP_NOTIFY_LEASE_SECONDS = 120
    story.submitted()
    delivery = _email_of(Kind.SUBMITTED)
    # A worker claimed it and died mid-send (its lease still runs).
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING,
        attempts=1,
        next_try_at=delivery.created_at + dt.timedelta(seconds=120),
    )
    with pytest.raises(DeliveryBusy) as busy:
        delivery_send(delivery_id=delivery.pk)
    assert 0 < busy.value.countdown <= 121
    assert mail.outbox == []
    with time_machine.travel(delivery.created_at + dt.timedelta(seconds=121), tick=False):
        assert delivery_send(delivery_id=delivery.pk) == Outcome.SENT
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert len(mail.outbox) == 1


def test_a_sender_whose_lease_was_taken_over_cannot_record_the_delivery(
    story: Story, people: Any
) -> None:
    story.submitted()
    delivery = _email_of(Kind.SUBMITTED)
    note = delivery.notification
    inapp = Delivery.objects.get(notification=note, channel="inapp")

    from notifications.services import delivery as service

    # Attempt 1 claimed; before it records, attempt 2 takes over (lease ran out).
    Delivery.objects.filter(pk=inapp.pk).update(status=DeliveryStatus.SENDING, attempts=2)
    assert service._record_sent(inapp, 1, channel_for("inapp")) == Outcome.SUPERSEDED
    note.refresh_from_db()
    assert note.shown_at is None  # its in-app write was rolled back with it
    assert not AuditEvent.objects.filter(action="notification_sent").exists()


def test_the_send_task_retries_a_failed_send_with_its_backoff(
    story: Story, people: Any, settings: Any
) -> None:
    from notifications.tasks import send_delivery

    settings.EMAIL_BACKEND = "tests.notifications.failing_mail.EmailBackend"
    story.submitted()
    delivery = _email_of(Kind.SUBMITTED)
    with pytest.raises(Retry) as retry:
        send_delivery.apply((delivery.pk,))
    assert retry.value.when == 5
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)


def test_no_name_summary_or_ethnic_category_reaches_the_logs(
    story: Story, people: Any, caplog: Any, settings: Any
) -> None:
    caplog.set_level("DEBUG")
    case = story.formal()
    drain()
    settings.EMAIL_BACKEND = "tests.notifications.failing_mail.EmailBackend"
    story.submitted()
    emails = Delivery.objects.filter(status="pending", channel="email")
    for pk in emails.values_list("pk", flat=True):
        with pytest.raises(DeliveryFailed):
            delivery_send(delivery_id=pk)
    assert "delivery" in caplog.text  # the failures were logged, by id
    for private in (case.employee_name, case.summary, case.get_employee_ethnic_category_display()):
        assert private not in caplog.text
