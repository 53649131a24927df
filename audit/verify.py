"""Walk the audit chain and report the first broken link.

``check_chain`` is pure: it takes rows in ``seq`` order and a lookup used
only to diagnose a break. ``verify_log`` feeds it from the database, streamed
in chunks, so memory stays bounded however long the log is.

For each event, in order:

1. its ``prev_hash`` must be the previous event's hash (the first event's is
   GENESIS) and its ``seq`` the previous plus one. If not, the hash it links
   to says what happened: no such event (missing: deleted), an event further
   on (out of order), or an earlier event (what lies between was inserted);
2. its stored hash must match its content. If not, it was altered, unless the
   next event still links to the one before it (then it was inserted).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple, Protocol

from .chain import GENESIS, event_hash
from .models import AuditEvent

# The columns a check reads, in this order.
COLUMNS = (
    "seq",
    "id",
    "prev_hash",
    "hash",
    "case_id",
    "actor_id",
    "at",
    "action",
    "from_stage",
    "to_stage",
    "reason",
    "payload",
)


class Row(NamedTuple):
    seq: int
    id: int
    prev_hash: str
    hash: str
    case_id: int | None
    actor_id: int | None
    at: Any
    action: str
    from_stage: str
    to_stage: str
    reason: str
    payload: Any


class Ref(NamedTuple):
    seq: int
    id: int


class Kind(enum.StrEnum):
    ALTERED = "content altered"
    MISSING = "missing (deleted)"
    FORGED = "forged (inserted)"
    OUT_OF_ORDER = "out of order"


class Lookup(Protocol):
    """Where diagnosis finds an event by its hash or its position."""

    def by_hash(self, value: str) -> Ref | None: ...

    def by_seq(self, seq: int) -> Ref | None: ...


@dataclasses.dataclass(frozen=True)
class Breakage:
    seq: int
    id: int
    kind: Kind
    detail: str


@dataclasses.dataclass(frozen=True)
class Report:
    events: int  # events checked (up to, not including, a break)
    head: Ref | None
    head_hash: str
    breakage: Breakage | None = None

    @property
    def intact(self) -> bool:
        return self.breakage is None

    def __str__(self) -> str:
        if self.breakage is None:
            return f"intact, {self.events} events"
        b = self.breakage
        return f"broken at event seq={b.seq} (id={b.id}): {b.kind} - {b.detail}"


def row_hash(row: Row) -> str:
    return event_hash(
        prev_hash=row.prev_hash,
        case_id=row.case_id,
        actor_id=row.actor_id,
        at=row.at,
        action=row.action,
        from_stage=row.from_stage,
        to_stage=row.to_stage,
        reason=row.reason,
        payload=row.payload,
    )


def check_chain(rows: Iterable[Row], lookup: Lookup) -> Report:
    """Check rows given in ``seq`` order; stop at the first broken event."""
    prev: Row | None = None
    count = 0
    for row, nxt in _with_next(rows):
        breakage = _check_link(prev, row, lookup) or _check_content(prev, row, nxt)
        if breakage is not None:
            return _report(count, prev, breakage)
        prev, count = row, count + 1
    return _report(count, prev, None)


def _report(count: int, last: Row | None, breakage: Breakage | None) -> Report:
    head = Ref(last.seq, last.id) if last else None
    return Report(count, head, last.hash if last else GENESIS, breakage)


def _with_next(rows: Iterable[Row]) -> Iterator[tuple[Row, Row | None]]:
    """Each row with the one after it: one row of look-ahead, memory stays flat."""
    it = iter(rows)
    row = next(it, None)
    while row is not None:
        nxt = next(it, None)
        yield row, nxt
        row = nxt


def _check_link(prev: Row | None, row: Row, lookup: Lookup) -> Breakage | None:
    expected_hash = prev.hash if prev else GENESIS
    expected_seq = prev.seq + 1 if prev else 1
    if row.prev_hash == expected_hash:
        if row.seq == expected_seq:
            return None
        return _broken(row, Kind.OUT_OF_ORDER, f"renumbered: its seq should be {expected_seq}")
    target = lookup.by_hash(row.prev_hash)
    if target is None and row.seq != expected_seq:
        return _broken(row, Kind.MISSING, f"events seq {expected_seq}..{row.seq - 1} are gone")
    if target is None:
        return _broken(
            row, Kind.MISSING, "the event it follows is gone (deleted, or its hash rewritten)"
        )
    if target.seq >= row.seq:
        return _broken(row, Kind.OUT_OF_ORDER, f"it follows event seq={target.seq}, placed later")
    # It links to an earlier event: whatever sits between was put there.
    inserted = lookup.by_seq(target.seq + 1) or Ref(row.seq, row.id)
    return Breakage(
        inserted.seq,
        inserted.id,
        Kind.FORGED,
        f"event seq={row.seq} links past it to seq={target.seq}",
    )


def _check_content(prev: Row | None, row: Row, nxt: Row | None) -> Breakage | None:
    if row_hash(row) == row.hash:
        return None
    if nxt is not None and nxt.prev_hash == (prev.hash if prev else GENESIS):
        return _broken(row, Kind.FORGED, "its hash is wrong and the next event links past it")
    return _broken(row, Kind.ALTERED, "its stored hash does not match its content")


def _broken(row: Row, kind: Kind, detail: str) -> Breakage:
    return Breakage(row.seq, row.id, kind, detail)


class DatabaseLookup:
    """Diagnosis lookups against the log itself (used at a break only)."""

    def by_hash(self, value: str) -> Ref | None:
        found = AuditEvent.objects.filter(hash=value).order_by("seq").values_list("seq", "id")
        return _ref(found.first())

    def by_seq(self, seq: int) -> Ref | None:
        return _ref(AuditEvent.objects.filter(seq=seq).values_list("seq", "id").first())


def _ref(pair: tuple[int, int] | None) -> Ref | None:
    return Ref(*pair) if pair else None


def stream_rows(chunk_size: int = 5000) -> Iterator[Row]:
    """Every event in ``seq`` order, fetched ``chunk_size`` at a time
    (a server-side cursor on PostgreSQL)."""
    rows = AuditEvent.objects.order_by("seq").values_list(*COLUMNS)
    return (Row(*r) for r in rows.iterator(chunk_size=chunk_size))


def verify_log(*, chunk_size: int = 5000) -> Report:
    """Verify the whole stored chain."""
    return check_chain(stream_rows(chunk_size), DatabaseLookup())


def check_anchor(seq: int, value: str) -> Breakage | None:
    """Compare with a hash recorded outside the system (``verify_audit --anchor``).

    The chain alone cannot show that its newest events were cut off, or that
    the whole chain was recomputed after an edit; a recorded anchor can.
    """
    found = AuditEvent.objects.filter(seq=seq).values_list("id", "hash").first()
    if found is None:
        return Breakage(seq, 0, Kind.MISSING, "the anchored event is gone (log cut short?)")
    if found[1] != value:
        return Breakage(seq, found[0], Kind.ALTERED, "its hash differs from the anchor")
    return None
