"""History written as already delivered (the local demo's backdated cases,
notifications/services/history.py), and the outbox sweep queueing an unsent
delivery once per grace period, not once a minute (issue 18)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from audit.models import AuditEvent, EventType
from notifications.models import Delivery, DeliveryStatus, Kind, Notification
from notifications.services import (
    deliveries_not_queued,
    history_deliveries_settle,
    outbox_sweep,
)
from workflow.services import case_triage

from ..workflow.steps import Story
from .test_enqueue import _purge, _queued, broker  # noqa: F401 - the broker fixture

ZONE = dt.UTC
SUBMITTED_AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=ZONE)  # a Monday
TRIAGED_AT = dt.datetime(2026, 3, 4, 11, 0, tzinfo=ZONE)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_actions_inside_deliveries_not_queued_queue_no_send_task(
    story: Story,
    broker: None,  # noqa: F811 - the fixture imported above
) -> None:
    with deliveries_not_queued():
        case = story.submitted()
    # Recorded, in the outbox, but nothing reached the broker.
    assert Delivery.objects.filter(notification__case=case, status=DeliveryStatus.PENDING).count()
    assert _queued() == []
    # Outside the block an action queues as ever.
    case_triage(case_id=case.pk, actor=story.cast.hr, route="informal")
    assert [name for name, _args in _queued()] == ["notifications.tasks.send_deliveries"]


@pytest.mark.django_db
def test_history_is_delivered_on_its_own_dates_without_sending(story: Story, people: Any) -> None:
    with time_machine.travel(SUBMITTED_AT, tick=False):
        case = story.submitted()
    with time_machine.travel(TRIAGED_AT, tick=False):
        case_triage(case_id=case.pk, actor=people.hr, route="informal")
    settled = history_deliveries_settle(before=timezone.now())
    # HR told of the referral and the manager of the triage, each in the app and by email.
    assert settled == 4
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    for delivery in Delivery.objects.all():
        assert delivery.sent_at == delivery.created_at
    waiting = Notification.objects.get(kind=Kind.SUBMITTED, recipient=people.hr)
    moved = Notification.objects.get(kind=Kind.CASE_MOVED, recipient=people.manager)
    # Each in the list on the day its action happened, not today.
    assert waiting.shown_at == SUBMITTED_AT
    assert moved.shown_at == TRIAGED_AT
    # The case was triaged: "waiting for triage" is not outstanding. The
    # manager's notice is about an open case, and still unread.
    assert waiting.read_at == SUBMITTED_AT
    assert moved.read_at is None
    # Nothing was sent, so nothing is on the case trail as sent.
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action=EventType.NOTIFICATION_SENT).exists()


@pytest.mark.django_db
def test_history_leaves_what_was_recorded_since_to_be_sent(story: Story, people: Any) -> None:
    with time_machine.travel(SUBMITTED_AT, tick=False):
        old = story.submitted()
    before = timezone.now()
    new = story.submitted()
    assert history_deliveries_settle(before=before) == 2
    assert set(
        Delivery.objects.filter(notification__case=old).values_list("status", flat=True)
    ) == {DeliveryStatus.SENT}
    assert set(
        Delivery.objects.filter(notification__case=new).values_list("status", flat=True)
    ) == {DeliveryStatus.PENDING}
    assert Notification.objects.get(case=new, recipient=people.hr).shown_at is None


@pytest.mark.django_db
def test_history_of_a_closed_case_is_all_read(story: Story, people: Any) -> None:
    with time_machine.travel(SUBMITTED_AT, tick=True):
        case = story.closed()
    history_deliveries_settle(before=timezone.now())
    notes = Notification.objects.filter(case=case)
    assert notes.count() >= 2
    assert not notes.filter(read_at__isnull=True).exists()
    assert not notes.filter(shown_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sweep_queues_an_unsent_delivery_once_per_grace_period(
    story: Story,
    settings: Any,
    broker: None,  # noqa: F811 - the fixture imported above
) -> None:
    """A delivery whose task waits behind a long queue is not queued again at
    every sweep (issue 18: 51 copies came back "done already")."""
    settings.FTP_OUTBOX_GRACE_SECONDS = 60
    story.submitted()
    _purge()  # the submission's own task: "lost" behind a long queue
    start = timezone.now()
    with time_machine.travel(start + dt.timedelta(seconds=90), tick=False):
        assert outbox_sweep() == 2
        assert len(_queued()) == 1
        # A minute's sweeps later, its task has not run yet: not queued again.
        assert outbox_sweep() == 0
    with time_machine.travel(start + dt.timedelta(seconds=140), tick=False):
        assert outbox_sweep() == 0
    assert len(_queued()) == 1
    # Still unsent a whole grace period after it was queued: queued again.
    with time_machine.travel(start + dt.timedelta(seconds=160), tick=False):
        assert outbox_sweep() == 2
    assert len(_queued()) == 2
