"""The keyed hash chain that makes the audit log tamper-evident. Pure functions.

Each event stores ``hash = HMAC-SHA256(key, canonical(content) + prev_hash)``
where ``prev_hash`` is the hash of the event before it (by ``seq``) and the
key is one of the application's audit keys (``audit.keyring``), named in the
event's ``key_id`` and inside the signed content. Changing, removing,
inserting or reordering a stored event breaks a link that ``audit.verify``
finds, and without the key nobody can compute the links again: database
write access alone cannot rewrite history so that it verifies.

Versions (``v`` in the signed content):

* 1: the first, unkeyed chain, ``sha256(canonical + prev_hash)``, with no
  ``key_id``. Events written before keying still verify this way, but only
  before the first keyed event: anyone can compute a version-1 hash, so one
  after a keyed event is a forgery (``audit.verify``).
* 2: keyed, as above.

The serialisation is frozen: every event ever written must verify with it,
so change it only by adding a new version.

A pending event (committed, not yet chained: ADR 0016) carries a *seal* in
place of its hash: the same keyed HMAC over its content, marked as a seal
and linked to nothing (``event_seal``). The sequencer checks the seal before
it chains the event, and ``audit.verify`` checks the seals of events still
pending, so an event changed while it waits is found, not chained.

``seq`` is deliberately not hashed: it is the walking order, and the links
(``prev_hash``), not the numbers, say what follows what. That is what lets
the verifier tell a reordering from an altered event.

A redacted event (``audit.redaction``) no longer matches its hash, since its
``reason`` and ``payload`` were blanked. What it kept is covered instead by
its *fingerprint* (``redaction_fingerprint``), which the signed
``case_destroyed`` event lists beside its ``seq``: its position, its links,
its stored hash and every column the redaction did not blank.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING, Any, Protocol, TypedDict

from django.core.serializers.json import DjangoJSONEncoder

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .keyring import AuditKey

VERSION = 2
UNKEYED_VERSION = 1
# The first event's predecessor.
GENESIS = "0" * 64


class EventContent(TypedDict):
    """What every version's hash (and a pending event's seal) is computed over."""

    case_id: int | None
    actor_id: int | None
    at: dt.datetime
    action: str
    from_stage: str
    to_stage: str
    reason: str
    payload: dict[str, Any]


class _HasContent(Protocol):
    """A stored event, or a row read from the log: anything with its fields."""

    @property
    def case_id(self) -> int | None: ...
    @property
    def actor_id(self) -> int | None: ...
    @property
    def at(self) -> dt.datetime: ...
    @property
    def action(self) -> str: ...
    @property
    def from_stage(self) -> str: ...
    @property
    def to_stage(self) -> str: ...
    @property
    def reason(self) -> str: ...
    @property
    def payload(self) -> dict[str, Any]: ...


class _Chained(_HasContent, Protocol):
    """A chained event: its content, its position and its links."""

    @property
    def seq(self) -> int | None: ...
    @property
    def prev_hash(self) -> str: ...
    @property
    def hash(self) -> str: ...
    @property
    def key_id(self) -> str | None: ...


def content_of(event: _HasContent) -> EventContent:
    """``event``'s hashed fields (an ``AuditEvent`` or a row of the same names)."""
    return EventContent(
        case_id=event.case_id,
        actor_id=event.actor_id,
        at=event.at,
        action=event.action,
        from_stage=event.from_stage,
        to_stage=event.to_stage,
        reason=event.reason,
        payload=event.payload,
    )


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


def _message(content: dict[str, Any], prev_hash: str) -> bytes:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return f"{canonical}\n{prev_hash}".encode()


def _content(content: EventContent) -> dict[str, Any]:
    """The event's fields as every version hashes them (each adds its version)."""
    return {
        "case": content["case_id"],
        "actor": content["actor_id"],
        "at": timestamp(content["at"]),
        "action": content["action"],
        "from": content["from_stage"],
        "to": content["to_stage"],
        "reason": content["reason"],
        "payload": content["payload"],
    }


def event_hash(*, key: AuditKey, prev_hash: str, **content: Unpack[EventContent]) -> str:
    """Version 2: HMAC-SHA256 hex under ``key`` over the event's canonical JSON
    (sorted keys, no spaces, the key's id included) and its predecessor's hash."""
    fields = _content(content)
    return key.hmac(_message({"v": VERSION, "key": key.id, **fields}, prev_hash))


def event_seal(*, key: AuditKey, **content: Unpack[EventContent]) -> str:
    """A pending event's seal: HMAC-SHA256 hex under ``key`` over the same
    canonical content as its chain hash, marked ``"seal"`` and with no
    predecessor, so no seal can ever pass for a chain hash or the reverse."""
    fields = _content(content)
    return key.hmac(_message({"v": VERSION, "key": key.id, "seal": True, **fields}, ""))


def unkeyed_event_hash(*, prev_hash: str, **content: Unpack[EventContent]) -> str:
    """Version 1 (frozen, for events written before keying): sha256 hex over
    the event's canonical JSON and its predecessor's hash. Never for new events."""
    fields = _content(content)
    return hashlib.sha256(_message({"v": UNKEYED_VERSION, **fields}, prev_hash)).hexdigest()


def redaction_fingerprint(event: _Chained) -> str:
    """sha256 hex over what a redaction keeps of ``event``: every column but
    the blanked ``reason`` and ``payload`` (and ``redacted_at``). Unkeyed:
    nothing in it is secret, and it is trusted only inside a signed
    ``case_destroyed`` event's listing, which no one without the key can
    write. Frozen, like the hashes: every listing ever written must match."""
    kept = {
        "seq": event.seq,
        "prev": event.prev_hash,
        "hash": event.hash,
        "key": event.key_id,
        "case": event.case_id,
        "actor": event.actor_id,
        "at": timestamp(event.at),
        "action": event.action,
        "from": event.from_stage,
        "to": event.to_stage,
    }
    return hashlib.sha256(
        json.dumps(kept, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()
