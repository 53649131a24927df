"""The hash covers every part of an event and nothing that can vary in transit."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit.chain import GENESIS, event_hash, normalise_payload

AT = dt.datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=dt.UTC)
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


def test_it_is_a_sha256_hex_digest() -> None:
    digest = event_hash(**EVENT)
    assert len(digest) == 64 and int(digest, 16) >= 0


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
    assert event_hash(**{**EVENT, field: other}) != event_hash(**EVENT)


def test_the_same_moment_in_another_time_zone_hashes_the_same() -> None:
    london = AT.astimezone(ZoneInfo("Europe/London"))
    assert event_hash(**{**EVENT, "at": london}) == event_hash(**EVENT)


@given(st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8), max_size=6))
def test_key_order_does_not_matter(payload: dict[str, Any]) -> None:
    reversed_payload = dict(reversed(list(payload.items())))
    assert event_hash(**{**EVENT, "payload": payload}) == event_hash(
        **{**EVENT, "payload": reversed_payload}
    )


def test_payloads_are_hashed_as_the_database_returns_them() -> None:
    assert normalise_payload({"day": dt.date(2026, 11, 20)}) == {"day": "2026-11-20"}
    assert normalise_payload(None) == {}
