"""Reads about trusts."""

from __future__ import annotations

import time

from .models import Trust

_NAMES_TTL_SECONDS = 60
_names: dict[int, str] = {}
_names_read_at = 0.0


def trust_name(trust_id: int | None) -> str:
    """A trust's name for page headers, read at most once a minute per process
    (every page shows it; the names change rarely). Blank outside a trust."""
    global _names_read_at
    if trust_id is None:
        return ""
    now = time.monotonic()
    if trust_id not in _names or now - _names_read_at > _NAMES_TTL_SECONDS:
        _names.clear()
        _names.update(Trust.objects.values_list("pk", "name"))
        _names_read_at = now
    return _names.get(trust_id, "")


def trust_names_forget() -> None:
    """Read the names afresh at the next page (after a trust is renamed)."""
    global _names_read_at
    _names_read_at = 0.0
