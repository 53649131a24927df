"""``/metrics``: who may scrape it, that requests are counted and timed by
view, that each of the service's gauges reads the real figure, and that
nothing personal is in it."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse
from kombu import Connection
from prometheus_client.parser import text_string_to_metric_families

from audit.models import AuditEvent, EventType
from audit.services import audit_chain_check
from config.celery import app
from notifications.models import Delivery, DeliveryStatus
from notifications.services import delivery_send
from notifications.services.delivery import Outcome
from staff.ethnicity import EthnicCategory
from staff.models import Employee
from tenancy.policy import trust_policy
from workflow.models import CaseStep

from ..factories import EmployeeFactory
from ..policy import policy_set
from ..web.pages import login, page, submit, submit_case

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "metrics-token-" + "x" * 40


def scrape(client: Client) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of one scrape: (name, labels) -> value."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
    }


def sample(samples: dict[Any, float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


# --- who may scrape -------------------------------------------------------------


def test_with_a_token_only_its_bearer_is_served(client: Client, settings: Any) -> None:
    settings.FTP_METRICS_TOKEN = TOKEN
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"bearer {TOKEN}").status_code == 200
    for refused in ("", f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", f"Token {TOKEN}", TOKEN):
        response = client.get("/metrics", HTTP_AUTHORIZATION=refused)
        assert response.status_code == 401, refused
        assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
        assert b"ftp_" not in response.content
    assert client.get("/metrics").status_code == 401


def test_a_signed_in_user_is_no_substitute_for_the_token(
    client: Client, cast: Any, settings: Any
) -> None:
    settings.FTP_METRICS_TOKEN = TOKEN
    login(client, cast.hr)
    assert client.get("/metrics").status_code == 401


def test_without_a_token_production_has_no_such_page(client: Client, settings: Any) -> None:
    settings.FTP_METRICS_TOKEN = ""
    settings.FTP_METRICS_OPEN_WITHOUT_TOKEN = False  # production's value (below)
    assert client.get("/metrics").status_code == 404
    settings.FTP_METRICS_OPEN_WITHOUT_TOKEN = True  # local and test
    assert client.get("/metrics").status_code == 200


def test_only_get_is_answered(client: Client) -> None:
    assert client.post("/metrics").status_code == 405


def _settings_in(env: dict[str, str], *names: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("FTP_", "REDIS_"))}
    program = (
        "import json, config.settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {names!r}}}))"
    )
    return subprocess.run(  # noqa: S603 (our own interpreter and program)
        [sys.executable, "-c", program],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


PRODUCTION = {
    "FTP_ENV": "production",
    "SECRET_KEY": "s" * 50,
    "ALLOWED_HOSTS": "ftp.example.nhs.uk",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ftp",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "FTP_AUDIT_KEY": "k" * 40,
}


def test_production_logs_json_keeps_metrics_closed_and_refuses_a_short_token() -> None:
    result = _settings_in(
        PRODUCTION, "FTP_LOG_FORMAT", "FTP_METRICS_OPEN_WITHOUT_TOKEN", "MIDDLEWARE"
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["FTP_LOG_FORMAT"] == "json"
    assert values["FTP_METRICS_OPEN_WITHOUT_TOKEN"] is False
    middleware = values["MIDDLEWARE"]
    assert middleware[0] == "ops.middleware.RequestLogMiddleware"
    security = middleware.index("django.middleware.security.SecurityMiddleware")
    assert middleware[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert middleware[-2:] == [
        "ops.middleware.PrometheusAfterMiddleware",
        "axes.middleware.AxesMiddleware",
    ]

    short = _settings_in({**PRODUCTION, "FTP_METRICS_TOKEN": "short"}, "FTP_METRICS_TOKEN")
    assert short.returncode != 0
    assert "FTP_METRICS_TOKEN must be at least 32 characters" in short.stderr


# --- requests, counted and timed by view ---------------------------------------------


def test_requests_are_counted_and_timed_under_their_view(
    client: Client, cast: Any, employee: Any
) -> None:
    case = submit_case(client, cast.manager, employee)
    labels = {"view": "cases:detail", "method": "GET"}
    before = scrape(client)

    for _ in range(3):
        assert page(client, cast.manager, case).status_code == 200
    client.get(reverse("cases:detail", args=[987_654]))  # a 404, same view

    after = scrape(client)
    latency = "django_http_requests_latency_seconds_by_view_method"

    def grew(name: str, **extra: str) -> float:
        return sample(after, name, **labels, **extra) - sample(before, name, **labels, **extra)

    assert grew(f"{latency}_count") == 4  # once each, the 404 too
    assert grew(f"{latency}_bucket", le="+Inf") == 4
    assert grew(f"{latency}_sum") > 0
    responses = "django_http_responses_total_by_status_view_method_total"
    assert grew(responses, status="200") == 3
    assert grew(responses, status="404") == 1
    raised = "django_http_exceptions_total_by_view_total"
    view = {"view": "cases:detail"}
    assert sample(after, raised, **view) - sample(before, raised, **view) == 1  # the Http404


# --- the service's gauges ------------------------------------------------------------


def test_overdue_steps_are_the_open_steps_past_their_due_date(client: Client, cast: Any) -> None:
    policy_set(step_time_limits={**trust_policy().step_time_limits, "triage": 5})
    with time_machine.travel(dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=30)):
        overdue = [submit_case(client, cast.manager, EmployeeFactory()) for _ in range(2)]
    submit_case(client, cast.manager, EmployeeFactory())  # due in five working days

    value = sample(scrape(client), "ftp_workflow_steps_overdue", trust="RAL")

    assert value == 2
    open_steps = CaseStep.objects.filter(left_at__isnull=True)
    assert {s.case_id for s in open_steps if s.due_on and s.due_on < dt.date.today()} == {
        c.pk for c in overdue
    }


def test_failed_deliveries_are_those_given_up_after_their_retries(
    client: Client, cast: Any, employee: Any, settings: Any
) -> None:
    cast.hr.email = "hana.hr@trust.example"
    cast.hr.save(update_fields=["email"])
    submit_case(client, cast.manager, employee)
    assert sample(scrape(client), "ftp_notification_deliveries_failed", trust="RAL") == 0

    settings.EMAIL_BACKEND = "tests.notifications.failing_mail.EmailBackend"
    settings.FTP_NOTIFY_MAX_ATTEMPTS = 1
    email = Delivery.objects.filter(channel="email").latest("id")
    assert delivery_send(delivery_id=email.pk) == Outcome.GAVE_UP

    assert sample(scrape(client), "ftp_notification_deliveries_failed", trust="RAL") == 1
    assert Delivery.objects.filter(status=DeliveryStatus.FAILED).count() == 1


def test_the_audit_chain_was_last_verified_when_a_check_last_found_it_intact(
    client: Client, cast: Any, employee: Any, settings: Any, tmp_path: Path
) -> None:
    settings.FTP_AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    assert (
        sample(scrape(client), "ftp_audit_chain_last_verified_timestamp_seconds", chain="RAL") == 0
    )
    assert audit_chain_check(anchor=True).empty  # nothing to verify: not a verification
    assert (
        sample(scrape(client), "ftp_audit_chain_last_verified_timestamp_seconds", chain="RAL") == 0
    )

    submit_case(client, cast.manager, employee)
    assert audit_chain_check(anchor=True).intact
    checked = AuditEvent.objects.filter(action=EventType.VERIFY).latest("id")

    value = sample(scrape(client), "ftp_audit_chain_last_verified_timestamp_seconds", chain="RAL")
    assert value == pytest.approx(checked.at.timestamp())


@pytest.fixture
def private_queue(settings: Any) -> Iterator[str]:
    """A queue of this test's own on the broker (REDIS_URL), deleted afterwards."""
    name = f"ftp-test-metrics-{uuid.uuid4().hex}"
    settings.CELERY_TASK_DEFAULT_QUEUE = name
    try:
        yield name
    finally:
        redis.Redis.from_url(django_settings.CELERY_BROKER_URL).delete(name)


def test_the_queue_depth_is_the_tasks_waiting_on_the_broker(
    client: Client, private_queue: str
) -> None:
    assert sample(scrape(client), "ftp_celery_queue_depth", queue=private_queue) == 0
    for _ in range(2):  # real task messages, as the app sends them; no worker takes them
        app.send_task("ops.tasks.beat_heartbeat", queue=private_queue)
    assert sample(scrape(client), "ftp_celery_queue_depth", queue=private_queue) == 2


def test_the_local_brokers_queue_depth_is_its_waiting_message_files(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "queue"
    folder.mkdir()
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(tmp_path / "control"),
    }
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
    with Connection("filesystem://", transport_options=options) as broker:
        for queue, count in (("celery", 2), ("other", 1)):
            waiting = broker.SimpleQueue(queue)
            for n in range(count):
                waiting.put({"n": n})
            waiting.close()
    assert sample(scrape(client), "ftp_celery_queue_depth", queue="celery") == 2


def test_a_broker_that_is_down_leaves_its_gauge_out_and_the_others_in(
    client: Client, settings: Any
) -> None:
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    body = client.get("/metrics").content.decode()
    assert "ftp_celery_queue_depth{" not in body
    assert 'ftp_workflow_steps_overdue{trust="RAL"}' in body


def test_nothing_personal_is_in_the_metrics(client: Client, cast: Any) -> None:
    employee: Employee = EmployeeFactory.create(
        name="Quentin Zebedee-Marsh", ethnic_category=EthnicCategory.N
    )
    summary = "Quibbling zephyr marker text about the shift rota, long enough."
    submit(client, cast.manager, employee, summary=summary)
    case = CaseStep.objects.latest("id").case
    login(client, cast.hr)
    client.get(reverse("cases:detail", args=[case.pk]), {"q": "Zebedee"})

    body = client.get("/metrics").content.decode()
    personal: list[str] = [
        employee.name,
        "Zebedee",
        summary,
        EthnicCategory.N.label,
        cast.hr.username,
        cast.manager.username,
        case.reference,
        employee.staff_number,
    ]
    for text in personal:
        assert text not in body
