"""The hash covers every part of an event and nothing that can vary in transit,
and cannot be computed without the key."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit.chain import GENESIS, event_hash, normalise_payload, unkeyed_event_hash
from audit.keyring import AuditKey

AT = dt.datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=dt.UTC)
KEY = AuditKey("2026a", b"k" * 32)
EVENT: dict[str, Any] = {
    "prev_hash": GENESIS,
    "case_id": 7,
    "actor_id": 3,
    "at": AT,
    "action": "decide",
    "from_stage": "panel",
    "to_stage": "closed",
    "reason": "Mediation is the proportionate route.",
    "payload": {"outcome": "mediation", "decision_id": 4},
}
# EVENT's hash as the version-1 code stored it (before keying): the unkeyed
# form is frozen, or every event written then would stop verifying.
EVENT_V1_HASH = "a25fd93a24c6b4fcb736db1f5ce3636d3a885da9bad821b521cb7a490449a135"


def test_it_is_a_sha256_hex_digest() -> None:
    digest = event_hash(key=KEY, **EVENT)
    assert len(digest) == 64
    assert int(digest, 16) >= 0


@pytest.mark.parametrize(
    ("field", "other"),
    [
        ("prev_hash", "1" * 64),
        ("case_id", 8),
        ("actor_id", None),
        ("at", AT + dt.timedelta(microseconds=1)),
        ("action", "signoff"),
        ("from_stage", "signoff"),
        ("to_stage", "formal"),
        ("reason", "Mediation is the proportionate route"),
        ("payload", {"outcome": "mediation", "decision_id": 5}),
    ],
)
def test_changing_any_part_changes_the_hash(field: str, other: Any) -> None:
    assert event_hash(key=KEY, **{**EVENT, field: other}) != event_hash(key=KEY, **EVENT)
    assert unkeyed_event_hash(**{**EVENT, field: other}) != unkeyed_event_hash(**EVENT)


def test_the_same_moment_in_another_time_zone_hashes_the_same() -> None:
    london = AT.astimezone(ZoneInfo("Europe/London"))
    assert event_hash(key=KEY, **{**EVENT, "at": london}) == event_hash(key=KEY, **EVENT)


@given(st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8), max_size=6))
def test_key_order_does_not_matter(payload: dict[str, Any]) -> None:
    reversed_payload = dict(reversed(list(payload.items())))
    assert event_hash(key=KEY, **{**EVENT, "payload": payload}) == event_hash(
        key=KEY, **{**EVENT, "payload": reversed_payload}
    )


def test_payloads_are_hashed_as_the_database_returns_them() -> None:
    assert normalise_payload({"day": dt.date(2026, 11, 20)}) == {"day": "2026-11-20"}
    assert normalise_payload(None) == {}


def test_unkeyed_version_1_events_hash_as_they_were_stored() -> None:
    assert unkeyed_event_hash(**EVENT) == EVENT_V1_HASH


@given(st.binary(min_size=32, max_size=64), st.binary(min_size=32, max_size=64))
def test_another_secret_gives_another_hash(secret: bytes, other: bytes) -> None:
    if secret != other:
        assert event_hash(key=AuditKey("a", secret), **EVENT) != event_hash(
            key=AuditKey("a", other), **EVENT
        )
    assert event_hash(key=AuditKey("a", secret), **EVENT) != unkeyed_event_hash(**EVENT)


def test_the_key_id_is_signed_too() -> None:
    """Relabelling an event with another configured key's id breaks it."""
    assert event_hash(key=AuditKey("2026b", KEY.secret), **EVENT) != event_hash(key=KEY, **EVENT)


def test_a_key_shows_its_id_never_its_secret() -> None:
    assert "k" * 32 not in repr(KEY)
    assert "2026a" in repr(KEY)
