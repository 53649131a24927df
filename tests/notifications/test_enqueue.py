"""An action's deliveries reach the broker in one message, and are each sent once.

These read the real broker (the Redis in ``REDIS_URL``): what a committed
action published is what is in the queue.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail

from config.celery import app
from notifications.models import Delivery, DeliveryStatus, Kind
from notifications.tasks import send_deliveries
from panels.services import panel_convene

from ..workflow.steps import Story

QUEUE = "celery"  # the default queue every send task goes to


@pytest.fixture
def broker() -> Iterator[None]:
    """The test broker's default queue, empty before and after."""
    _purge()
    yield
    _purge()


def _purge() -> None:
    with app.connection_for_write() as conn:
        channel: Any = conn.default_channel
        channel.queue_purge(QUEUE)


def _queued() -> list[tuple[str, list[Any]]]:
    """(task name, positional arguments) of every message waiting in the queue."""
    with app.connection_for_read() as conn:
        channel: Any = conn.default_channel
        raw = channel.client.lrange(QUEUE, 0, -1)
    messages = [json.loads(m) for m in raw]
    return [
        (m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0])
        for m in reversed(messages)  # kombu pushes to the head: oldest last
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_actions_deliveries_go_to_the_broker_in_one_message(
    story: Story, people: Any, broker: None
) -> None:
    case = story.panel()
    _purge()  # what submitting and triage queued
    panel_convene(
        case_id=case.pk,
        actor=people.hr,
        members=[m.pk for m in people.panel],
        chair=people.panel_a.pk,
    )
    told = Delivery.objects.filter(
        notification__kind__in=[Kind.PANEL_CONVENED, Kind.CASE_MOVED],
        notification__event_key__endswith=":v3",
        status=DeliveryStatus.PENDING,
    )
    # The manager and three members, each in the app and by email.
    assert told.count() == 8
    assert _queued() == [
        ("notifications.tasks.send_deliveries", [sorted(told.values_list("pk", flat=True))])
    ]


@pytest.mark.django_db
def test_the_batch_task_sends_each_delivery_once(story: Story, people: Any) -> None:
    story.submitted()
    ids = list(Delivery.objects.values_list("pk", flat=True))
    assert len(ids) == 2  # HR, in the app and by email
    send_deliveries.apply((ids,))
    send_deliveries.apply((ids,))  # a redelivered message sends nothing twice
    assert set(Delivery.objects.values_list("status", "attempts")) == {(DeliveryStatus.SENT, 1)}
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_delivery_that_fails_in_a_batch_is_retried_on_its_own(
    story: Story, people: Any, settings: Any, broker: None
) -> None:
    settings.EMAIL_BACKEND = "tests.notifications.failing_mail.EmailBackend"
    story.submitted()
    email = Delivery.objects.get(channel="email")
    inapp = Delivery.objects.get(channel="inapp")
    outcomes = send_deliveries.apply(([email.pk, inapp.pk],)).get()
    assert outcomes == ["retry in 5s", "sent"]
    email.refresh_from_db()
    inapp.refresh_from_db()
    assert (email.status, email.attempts) == (DeliveryStatus.PENDING, 1)
    assert inapp.status == DeliveryStatus.SENT
    assert _queued() == [("notifications.tasks.send_delivery", [email.pk])]
