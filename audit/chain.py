"""The hash chain that makes the audit log tamper-evident. Pure functions.

Each event stores ``hash = sha256(canonical(content) + prev_hash)`` where
``prev_hash`` is the hash of the event before it (by ``seq``). Changing,
removing, inserting or reordering a stored event breaks a link that
``audit.verify`` finds. The serialisation is frozen: every event ever
written must verify with it, so change it only by adding a new version.

``seq`` is deliberately not hashed: it is the walking order, and the links
(``prev_hash``), not the numbers, say what follows what. That is what lets
the verifier tell a reordering from an altered event.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

VERSION = 1
# The first event's predecessor.
GENESIS = "0" * 64


def normalise_payload(payload: dict[str, Any] | None) -> dict[str, Any]:
    """The payload exactly as the database will give it back.

    Dates, decimals and UUIDs become strings on the way in (the JSONField's
    encoder), so the hash is computed over what a later read returns.
    """
    result: dict[str, Any] = json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder))
    return result


def timestamp(at: dt.datetime) -> str:
    """UTC, to the microsecond: what both PostgreSQL and SQLite store exactly."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    *,
    prev_hash: str,
    case_id: int | None,
    actor_id: int | None,
    at: dt.datetime,
    action: str,
    from_stage: str,
    to_stage: str,
    reason: str,
    payload: dict[str, Any],
) -> str:
    """sha256 hex over the event's canonical JSON (sorted keys, no spaces) and
    its predecessor's hash."""
    content = {
        "v": VERSION,
        "case": case_id,
        "actor": actor_id,
        "at": timestamp(at),
        "action": action,
        "from": from_stage,
        "to": to_stage,
        "reason": reason,
        "payload": payload,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{canonical}\n{prev_hash}".encode()).hexdigest()
