"""For every chain and every redacted event in it, any change to what the
redaction kept is found (``audit.verify.check_chain``, pure: no database)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from audit.chain import GENESIS, redaction_fingerprint
from audit.keyring import AuditKey, Keyring
from audit.verify import (
    FINGERPRINTS,
    LISTED,
    REDACTED_PAYLOAD,
    REDACTION_ACTION,
    Ref,
    Row,
    check_chain,
    row_hash,
)

KEY = AuditKey("2026a", b"k" * 32)
KEYS = Keyring({KEY.id: KEY}, KEY.id)
START = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
DESTROYED = 1  # the case whose file is destroyed


class Lookup:
    def __init__(self, rows: list[Row]) -> None:
        self.rows = rows

    def by_hash(self, value: str) -> Ref | None:
        return next((Ref(r.seq, r.id) for r in self.rows if r.hash == value), None)

    def by_seq(self, seq: int) -> Ref | None:
        return next((Ref(r.seq, r.id) for r in self.rows if r.seq == seq), None)


def signed(rows: list[Row], **fields: Any) -> Row:
    """The next event, linked and signed as the application writes it."""
    prev = rows[-1].hash if rows else GENESIS
    seq = len(rows) + 1
    row = Row(
        **{
            "seq": seq,
            "id": seq,
            "prev_hash": prev,
            "hash": "",
            "case_id": None,
            "actor_id": 7,
            "at": START + dt.timedelta(minutes=seq),
            "action": "triage",
            "from_stage": "triage",
            "to_stage": "informal",
            "reason": f"Free text {seq}.",
            "payload": {"n": seq},
            "key_id": KEY.id,
            **fields,
        }
    )
    return row._replace(hash=row_hash(row, KEY))


def destroyed_chain(cases: list[int]) -> list[Row]:
    """Events of ``cases`` in order, then case 1's file destroyed: its events
    redacted and a signed listing appended."""
    rows: list[Row] = []
    for case in cases:
        rows.append(signed(rows, case_id=case))
    redacted = [r.seq for r in rows if r.case_id == DESTROYED]
    rows = [
        r._replace(reason="", payload=REDACTED_PAYLOAD, redacted_at=START)
        if r.seq in redacted
        else r
        for r in rows
    ]
    listing = {
        LISTED: redacted,
        FINGERPRINTS: {str(r.seq): redaction_fingerprint(r) for r in rows if r.seq in redacted},
    }
    rows.append(
        signed(rows, case_id=DESTROYED, action=REDACTION_ACTION, reason="", payload=listing)
    )
    return rows


def check(rows: list[Row]) -> bool:
    return check_chain(rows, Lookup(rows), keyring=KEYS).intact


chains = st.lists(st.sampled_from([1, 2, 3]), min_size=1, max_size=8).filter(
    lambda cases: DESTROYED in cases
)
changes = st.sampled_from(
    [
        {"actor_id": 8},
        {"at": START - dt.timedelta(days=1)},
        {"action": "withdraw"},
        {"from_stage": "panel"},
        {"to_stage": "closed"},
        {"case_id": 2},
        {"key_id": "2026b"},
        {"hash": "f" * 64},
        {"prev_hash": "e" * 64},
        {"reason": "Invented."},
        {"payload": {"redacted": True, "n": 1}},
        {"redacted_at": None},
    ]
)


@given(chains)
def test_a_destruction_as_written_verifies(cases: list[int]) -> None:
    assert check(destroyed_chain(cases))


@given(chains, st.data(), changes)
def test_any_change_to_a_redacted_event_is_found(
    cases: list[int], data: st.DataObject, change: dict[str, Any]
) -> None:
    rows = destroyed_chain(cases)
    targets = [i for i, r in enumerate(rows) if r.redacted_at is not None]
    i = data.draw(st.sampled_from(targets))
    rows[i] = rows[i]._replace(**change)
    # Whoever changed its hash relinks the next event to it, so every link holds.
    if "hash" in change and i + 1 < len(rows):
        rows[i + 1] = rows[i + 1]._replace(prev_hash=rows[i].hash)
    assert not check(rows)


@given(chains, st.data())
def test_deleting_a_redacted_event_and_closing_the_gap_is_found(
    cases: list[int], data: st.DataObject
) -> None:
    rows = destroyed_chain(cases)
    targets = [i for i, r in enumerate(rows) if r.redacted_at is not None]
    i = data.draw(st.sampled_from(targets))
    gone = rows.pop(i)
    rows[i] = rows[i]._replace(prev_hash=gone.prev_hash)
    rows = [r._replace(seq=n) for n, r in enumerate(rows, start=1)]
    assert not check(rows)
