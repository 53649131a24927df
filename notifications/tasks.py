"""Periodic and delivery work. Tasks stay thin: they take ids, call a service
and report counts; retries and backoff live here, the rules in the services.

Beat sends the periodic tasks outside any trust: each goes through every
trust in turn (``for_each_trust``), so a trust's sweep reads and writes only
its own rows. A delivery task carries the trust it was sent in (tenancy/tasks.py)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from viewflow.workflow import timers

from tenancy.services import for_each_trust

from .services import deadline_sweep, delivery_send, digests_build, outbox_sweep
from .services.delivery import DeliveryBusy, DeliveryFailed
from .services.suspensions import suspension_sweep
from .services.wellbeing import wellbeing_checkins_sweep

logger = logging.getLogger(__name__)


@shared_task(name="notifications.tasks.fire_due_timers", acks_late=True)
def fire_due_timers() -> int:
    """Fire every viewflow timer and condition that is due.

    viewflow fires timers only when asked (docs/viewflow-notes.md); beat asks here every
    FTP_TIMER_POLL_SECONDS. Each timer is claimed under the flow lock, so two
    overlapping runs cannot fire the same timer twice.
    """
    counts = for_each_trust(lambda: timers.fire_due_timers() + timers.fire_due_conditions())
    count = sum(counts.values())
    logger.info("fired %d due workflow timers", count)
    return int(count)


@shared_task(
    bind=True,
    name="notifications.tasks.send_delivery",
    acks_late=True,
    # A worker killed mid-task leaves the message unacknowledged: the broker
    # hands it to another worker, and the delivery's lease decides who sends.
    reject_on_worker_lost=True,
    max_retries=None,
)
def send_delivery(self: Any, delivery_id: int) -> str:
    """Send one delivery (safe to run twice: the service claims it first).

    Retries with exponential backoff when the channel fails; when another
    sender holds the lease (a redelivered task whose first worker died),
    looks again once the lease has run out. The delivery log caps the
    attempts (FTP_NOTIFY_MAX_ATTEMPTS), not Celery.
    """
    try:
        return str(delivery_send(delivery_id=delivery_id))
    except (DeliveryFailed, DeliveryBusy) as exc:
        raise self.retry(countdown=exc.countdown, exc=exc) from exc


@shared_task(
    name="notifications.tasks.send_deliveries",
    acks_late=True,
    # As ``send_delivery``: a worker killed mid-batch leaves the message to be
    # redelivered; the deliveries it had sent are done, their claims say so.
    reject_on_worker_lost=True,
)
def send_deliveries(delivery_ids: list[int]) -> list[str]:
    """Send the deliveries one action (or one outbox sweep batch) queued, in one
    broker message. Each is sent exactly as ``send_delivery`` sends it; one
    that must be tried again later (its channel failed, or another sender
    holds its lease) is handed to ``send_delivery`` with its delay, so the
    rest never wait for it."""
    outcomes = []
    for delivery_id in delivery_ids:
        try:
            outcomes.append(str(delivery_send(delivery_id=delivery_id)))
        except (DeliveryFailed, DeliveryBusy) as exc:
            send_delivery.apply_async((delivery_id,), countdown=exc.countdown)
            outcomes.append(f"retry in {exc.countdown}s")
    return outcomes


@shared_task(name="notifications.tasks.sweep_outbox", acks_late=True)
def sweep_outbox() -> int:
    """Queue again every delivery left unsent (broker was down, worker died), in each trust."""
    return sum(for_each_trust(outbox_sweep).values())


@shared_task(name="notifications.tasks.sweep_deadlines", acks_late=True)
def sweep_deadlines() -> int:
    """Fire due reminders and escalations (every FTP_DEADLINE_SWEEP_SECONDS), in each trust."""
    return sum(for_each_trust(deadline_sweep).values())


@shared_task(name="notifications.tasks.sweep_suspension_reviews", acks_late=True)
def sweep_suspension_reviews() -> int:
    """Fire due suspension-review reminders and escalations, in each trust."""
    return sum(for_each_trust(suspension_sweep).values())


@shared_task(name="notifications.tasks.build_digests", acks_late=True)
def build_digests() -> int:
    """Build the daily digests (at FTP_DIGEST_HOUR); delivery follows on commit."""
    built = sum(for_each_trust(digests_build).values())
    logger.info("built %d digests (hour %s)", built, settings.FTP_DIGEST_HOUR)
    return built


@shared_task(name="notifications.tasks.sweep_wellbeing_checkins", acks_late=True)
def sweep_wellbeing_checkins() -> int:
    """Tell wellbeing contacts of check-ins due (docs/wellbeing.md), in each trust."""
    return sum(for_each_trust(wellbeing_checkins_sweep).values())
