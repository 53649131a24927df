"""A due reminder through a real Celery worker and the real Redis broker:
delivered exactly once, also when the worker is SIGKILLed mid-send.

The worker is a separate process (``celery -A config worker``) reading the
test database; the test makes the case through the services, the worker
runs the deadline sweep and the sends. Its email backend is Django's
file-based one, stalled on request inside the reminder's send
(``slow_mail``), so the kill lands between claiming and sending.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings

from audit.models import AuditEvent
from config.celery import app
from notifications.channels.email import message_id
from notifications.models import Delivery, DeliveryStatus, Kind, Notification
from notifications.services.delivery import broker_breaker
from notifications.tasks import sweep_deadlines

from ..policy import policy_set
from ..workflow.steps import Story
from .worker import Workers, mailbox_message_ids, wait_for

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL.startswith("redis://"),
        reason="needs the Redis broker (REDIS_URL), as make test runs it",
    ),
    # Transactional: the worker process must see what the test committed.
    # serialized_rollback keeps the migration-made role groups for later tests.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def mail_dir(tmp_path: Path) -> Path:
    return tmp_path / "mail"


@pytest.fixture
def workers(tmp_path: Path, mail_dir: Path) -> Iterator[Workers]:
    _empty_queue(settings.CELERY_BROKER_URL)
    broker_breaker.reset()
    pool = Workers(
        tmp_path,
        settings.CELERY_BROKER_URL,
        EMAIL_BACKEND="tests.notifications.slow_mail.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        FTP_TEST_MAIL_PAUSE=str(tmp_path / "pause"),
        FTP_TEST_MAIL_STARTED=str(tmp_path / "started"),
        # Short enough for a test: the lease a sender holds, and how soon
        # Redis hands a dead worker's unacknowledged task to another.
        FTP_NOTIFY_LEASE_SECONDS="3",
        CELERY_VISIBILITY_TIMEOUT="4",
        CELERY_UNACKED_RESTORE_INTERVAL="1",
        CELERY_UNACKED_RESTORE_THROTTLE="1",
    )
    yield pool
    pool.stop_all()


def _empty_queue(url: str) -> None:
    """Nothing left over from an earlier run reaches these workers (this
    test's own Redis database: never the shared one's other databases)."""
    app.control.purge()
    client = redis.Redis.from_url(url)
    client.delete("unacked", "unacked_index", "unacked_mutex")


def _email_deliveries() -> list[Delivery]:
    return list(Delivery.objects.filter(channel="email").order_by("pk"))


def _all_sent() -> bool:
    return not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists()


def test_a_due_reminder_is_delivered_once_even_when_the_worker_dies_mid_send(
    workers: Workers, mail_dir: Path, tmp_path: Path, people: Any, story: Story
) -> None:
    # A reminder due at once: more working days before than the step lasts.
    policy_set(reminder_working_days_before=10)
    first = workers.start("first")
    case = story.submitted()  # committed: HR's "new referral" is queued on commit
    wait_for("the new referral to be delivered", _all_sent)

    (tmp_path / "pause").touch()
    sweep_deadlines.delay()  # as beat does
    wait_for("the reminder email to be mid-send", (tmp_path / "started").exists)
    reminder = Delivery.objects.get(notification__kind=Kind.REMINDER, channel="email")
    assert (reminder.status, reminder.attempts) == (DeliveryStatus.SENDING, 1)

    first.kill()
    (tmp_path / "pause").unlink()
    assert mailbox_message_ids(mail_dir).count(message_id(reminder)) == 0  # never sent

    workers.start("second")  # Redis hands it the dead worker's task once visible again
    wait_for("the reminder email to be delivered", _all_sent)

    reminder.refresh_from_db()
    assert reminder.attempts == 2
    sent_ids = mailbox_message_ids(mail_dir)
    assert sorted(sent_ids) == sorted(message_id(d) for d in _email_deliveries())
    assert sent_ids.count(message_id(reminder)) == 1
    [note] = Notification.objects.filter(kind=Kind.REMINDER)
    assert note.recipient == people.hr
    assert note.case == case
    assert note.shown_at is not None
    logged = AuditEvent.objects.filter(case=case, action="reminder_sent")
    assert sorted(e.payload["channel"] for e in logged) == ["email", "inapp"]


def test_the_sweep_running_twice_on_real_workers_sends_each_reminder_once(
    workers: Workers, mail_dir: Path, people: Any, story: Story
) -> None:
    policy_set(reminder_working_days_before=10)
    workers.start("only")
    story.submitted()
    sweep_deadlines.delay()
    sweep_deadlines.delay()
    wait_for("a reminder to exist", Notification.objects.filter(kind=Kind.REMINDER).exists)
    wait_for("everything to be delivered", _all_sent)
    emails = _email_deliveries()
    assert len(emails) == 2  # the new referral and its reminder, to HR
    assert sorted(mailbox_message_ids(mail_dir)) == sorted(message_id(d) for d in emails)
