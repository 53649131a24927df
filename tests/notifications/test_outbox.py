"""Redis goes down during case actions: every action succeeds, and once it is
back every notification is delivered exactly once (the outbox, swept by beat).

A private ``redis-server`` (its own port, no persistence) is the broker for
this test: it is started, stopped mid-way (losing the tasks already queued
on it, as a crash would) and started again. The shared Redis is never touched.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from audit.models import AuditEvent
from config.celery import app
from notifications.channels.email import message_id
from notifications.models import Delivery, DeliveryStatus
from notifications.services.delivery import broker_breaker
from notifications.tasks import sweep_outbox
from panels.services import panel_convene
from workflow.models import Stage
from workflow.services import case_triage

from ..workflow.steps import PANEL_REASON, Story, fresh
from .worker import Workers, mailbox_message_ids, wait_for

PORT = 6390
REDIS_SERVER = shutil.which("redis-server") or "redis-server"
URL = f"redis://127.0.0.1:{PORT}/0"

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not os.path.isabs(REDIS_SERVER), reason="needs redis-server"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


class PrivateRedis:
    """A redis-server this test owns: started and killed by its process id."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [REDIS_SERVER, "--port", str(PORT), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_for("the private redis to listen", self._listening, 10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def _listening(self) -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", PORT)) == 0


def _use_broker(url: str) -> None:
    """Point this process's Celery app at ``url`` (as a restarted web process
    with that REDIS_URL would be); the pools are rebuilt on next use."""
    app.conf.broker_url = url  # type: ignore[misc]  # read-only in celery-types; settable
    app._pool = None  # type: ignore[attr-defined]  # Celery's private pool, rebuilt on use
    app.amqp._producer_pool = None  # type: ignore[attr-defined]  # likewise
    broker_breaker.reset()


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    original = app.conf.broker_url
    _use_broker(URL)
    yield server
    server.stop()
    _use_broker(original)


def test_case_actions_succeed_while_redis_is_down_and_nothing_is_lost(
    private_redis: PrivateRedis, tmp_path: Path, people: Any, story: Story, caplog: Any
) -> None:
    # Up: the submission's tasks reach the broker (and will die with it).
    case = story.submitted()
    private_redis.stop()

    # Down: every action still succeeds.
    case = case_triage(case_id=case.pk, actor=people.hr, route="panel", reason=PANEL_REASON)
    case = panel_convene(
        case_id=case.pk,
        actor=people.hr,
        members=[m.pk for m in people.panel],
        chair=people.panel_a.pk,
    )
    assert fresh(case).stage == Stage.PANEL
    assert "the outbox sweep will send them" in caplog.text
    deliveries = list(Delivery.objects.all())
    # HR once; the manager twice (triaged, convened); three members: app and email each.
    assert len(deliveries) == 2 * (1 + 2 + 3)
    assert {d.status for d in deliveries} == {DeliveryStatus.PENDING}

    # Back (empty: the tasks queued before the crash are gone too), with a worker.
    private_redis.start()
    _use_broker(URL)
    mail_dir = tmp_path / "mail"
    workers = Workers(
        tmp_path,
        URL,
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        FTP_OUTBOX_GRACE_SECONDS="1",
    )
    try:
        workers.start("after")
        sweep_outbox.delay()  # beat's next tick
        wait_for(
            "every delivery to be sent",
            lambda: not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists(),
        )
        sweep_outbox.delay()  # and the one after: nothing left to send
        sweep_outbox.delay()
    finally:
        workers.stop_all()

    emails = Delivery.objects.filter(channel="email")
    assert sorted(mailbox_message_ids(mail_dir)) == sorted(message_id(d) for d in emails)
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
    logged = AuditEvent.objects.filter(action="notification_sent")
    assert sorted(e.payload["delivery"] for e in logged) == sorted(d.pk for d in deliveries)
    assert connection.vendor == "postgresql"
