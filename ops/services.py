"""Writes: a heartbeat."""

from __future__ import annotations

from django.utils import timezone

from .models import Heartbeat

BEAT = "beat"


def heartbeat_record(name: str = BEAT) -> None:
    """``name`` is alive now (one upsert)."""
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})
