"""``/metrics``: what Prometheus scrapes, and who may scrape it.

Two kinds of metric:

* **Requests and latencies**, counted as they happen by django-prometheus's
  middleware pair (``django_http_*``), labelled by view name and method,
  never by path.
* **The service's own gauges**, computed when scraped (``ServiceCollector``),
  each by the selector of the app that owns the data:

  - ``ftp_celery_queue_depth{queue}``: tasks waiting in the broker, not yet
    taken by a worker (Redis ``LLEN``; the local filesystem broker: its
    message files);
  - ``ftp_workflow_steps_overdue{trust}``: open case steps past their due date;
  - ``ftp_notification_deliveries_failed{trust}``: deliveries given up after retries;
  - ``ftp_audit_chain_last_verified_timestamp_seconds{chain}``: when a check
    last found an audit chain intact (unix time; 0 if none ever has), for each
    trust's chain (its code) and the deployment's.

  Each is one indexed read (docs/performance.md), so none is cached. One
  that cannot be read (the database or broker down) is left out of the
  scrape and logged; the others are still served, and ``/health/ready``
  says what is down.

With ``PROMETHEUS_MULTIPROC_DIR`` set (gunicorn's worker processes), the
counters are read from every process's files in that folder, not from the
process that happened to answer the scrape (config/gunicorn.py).

Nothing here is personal: counts, view names, status codes and times.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Iterator

import redis
from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from audit.selectors import chains_last_verified_at
from notifications.selectors import deliveries_failed_count
from tenancy.services import for_each_trust
from workflow.selectors import steps_overdue_count

from .broker import local_folder, redis_client

logger = logging.getLogger(__name__)


def scrape_allowed(request: HttpRequest) -> bool | None:
    """True to serve the scrape, False to ask for the token (401), None to
    answer as if there were no such page (404).

    With ``FTP_METRICS_TOKEN`` set, only ``Authorization: Bearer <token>``
    is served (compared in constant time). Without it, the page is open
    outside production and absent in production: the counts are not
    personal, but they tell an outsider how busy the service is, and "only
    from this machine" would let in anyone behind a proxy on the same host.
    """
    token = settings.FTP_METRICS_TOKEN
    if not token:
        return True if settings.FTP_METRICS_OPEN_WITHOUT_TOKEN else None
    scheme, _, credential = request.headers.get("Authorization", "").partition(" ")
    given = credential.strip().encode()
    return scheme.lower() == "bearer" and hmac.compare_digest(given, token.encode())


def scrape_registry() -> CollectorRegistry:
    """Everything one scrape reports: the request metrics, of every process
    in multiprocess mode, and the service's gauges."""
    registry = CollectorRegistry()
    if settings.PROMETHEUS_MULTIPROC_DIR:
        MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
    else:
        registry.register(REGISTRY)  # this process's metrics, as they stand
    registry.register(ServiceCollector())
    return registry


class ServiceCollector:
    """The service's gauges, read when scraped (see the module's docstring)."""

    def collect(self) -> Iterator[Metric]:
        readers = (_queue_depth, _steps_overdue, _deliveries_failed, _audit_last_verified)
        for read in readers:
            try:
                yield read()
            except (DatabaseError, redis.RedisError, OSError) as exc:
                # The class only: a message may name an address.
                logger.warning("metric %s not read: %s", read.__name__, type(exc).__name__)


def _queue_depth() -> Metric:
    gauge = GaugeMetricFamily(
        "ftp_celery_queue_depth",
        "Tasks waiting in the Celery broker, not yet taken by a worker.",
        labels=["queue"],
    )
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    gauge.add_metric([queue], queue_depth(queue))
    return gauge


def queue_depth(queue: str) -> int:
    """Messages waiting in ``queue``: the Redis list of that name (tasks here
    are sent without a priority, so all go to that one list), or the local
    filesystem broker's files for it (kombu names them ``<time>_<id>.<queue>.msg``)."""
    folder = local_folder()
    if folder is not None:
        suffix = f"{queue}.msg"
        return sum(1 for f in folder.iterdir() if f.name.partition(".")[2] == suffix)
    with redis_client() as client:
        return int(client.llen(queue))


def _per_trust(name: str, documentation: str, read: Callable[[], float]) -> Metric:
    """A gauge with one sample per trust (label ``trust``: its code), each read
    inside its trust: a scrape acts for no trust, and a trust's rows are read
    only inside it (tenancy/)."""
    gauge = GaugeMetricFamily(name, documentation, labels=["trust"])
    for code, value in for_each_trust(read).items():
        gauge.add_metric([code], value)
    return gauge


def _steps_overdue() -> Metric:
    return _per_trust(
        "ftp_workflow_steps_overdue",
        "Open case steps past their due date.",
        steps_overdue_count,
    )


def _deliveries_failed() -> Metric:
    return _per_trust(
        "ftp_notification_deliveries_failed",
        "Notification deliveries given up after every retry, waiting for a person.",
        deliveries_failed_count,
    )


def _audit_last_verified() -> Metric:
    gauge = GaugeMetricFamily(
        "ftp_audit_chain_last_verified_timestamp_seconds",
        "When a check last found an audit chain intact (unix time; 0: never), "
        "per chain: each trust's by its code, and the deployment's.",
        labels=["chain"],
    )
    for chain, at in chains_last_verified_at().items():
        gauge.add_metric([chain], at.timestamp() if at else 0)
    return gauge
