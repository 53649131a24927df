"""The Celery broker as the health checks and the metrics reach it: Redis,
or the local demo's filesystem folder (``make run``), never waiting more
than a second for an answer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from django.conf import settings


def local_folder() -> Path | None:
    """The filesystem broker's message folder, or None when Redis is the broker."""
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        return None
    return Path(str(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]))


@contextmanager
def redis_client() -> Iterator[redis.Redis]:
    """A client of the Redis broker, closed (with its connections) after use."""
    client = redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
    )
    try:
        yield client
    finally:
        client.close()
