"""``/health/live`` and ``/health/ready``: what each answers, without a login."""

from __future__ import annotations

import datetime as dt
import socket
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ops.models import Heartbeat
from ops.services import heartbeat_record
from ops.tasks import beat_heartbeat

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when the block ends


def test_live_answers_without_the_database_or_a_login(client: Client) -> None:
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert "no-cache" in response["Cache-Control"]


def test_ready_when_every_component_is_well(client: Client) -> None:
    beat_heartbeat()  # what beat runs every FTP_BEAT_HEARTBEAT_SECONDS
    response = client.get("/health/ready")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok", "broker": "ok", "beat": "ok"},
    }


def test_not_ready_before_beat_has_run(client: Client) -> None:
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == "no heartbeat yet"


def test_not_ready_when_beat_has_stopped(client: Client, settings: Any) -> None:
    settings.FTP_BEAT_HEARTBEAT_SECONDS = 60
    heartbeat_record()
    Heartbeat.objects.update(at=timezone.now() - dt.timedelta(seconds=125))
    body = client.get("/health/ready").json()
    assert body["status"] == "not ready"
    assert body["checks"]["beat"].startswith("last heartbeat 12")
    assert body["checks"]["database"] == "ok"


def test_a_broker_that_refuses_is_named_and_its_address_is_not(
    client: Client, settings: Any
) -> None:
    heartbeat_record()
    port = _closed_port()
    settings.CELERY_BROKER_URL = f"redis://:secret-password@127.0.0.1:{port}/0"
    response = client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "connection refused"
    assert str(port) not in response.content.decode()
    assert "secret-password" not in response.content.decode()


def test_only_get_is_answered(client: Client) -> None:
    assert client.post("/health/ready").status_code == 405


def test_the_local_demos_filesystem_broker_is_ready_while_its_folder_exists(
    client: Client, settings: Any, tmp_path: Any
) -> None:
    heartbeat_record()
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path / "queue")}
    assert client.get("/health/ready").json()["checks"]["broker"] == (
        "the broker's folder is missing"
    )
    (tmp_path / "queue").mkdir()
    assert client.get("/health/ready").status_code == 200
