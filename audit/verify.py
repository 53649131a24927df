"""Walk an audit chain and report the first broken link.

One chain at a time: the current trust's, or outside any trust the
deployment's. Every read here goes through ``AuditEvent.objects``, which
reads the current chain only (``audit.models.ChainManager``), so a position
(``seq``) or a hash is looked up within that chain.

``check_chain`` is pure: it takes rows in ``seq`` order and a lookup used
only to diagnose a break. ``verify_log`` feeds it from the database, streamed
in chunks, so memory stays bounded however long the log is.

For each event, in order:

1. its ``prev_hash`` must be the previous event's hash (the first event's is
   GENESIS) and its ``seq`` the previous plus one. If not, the hash it links
   to says what happened: no such event (missing: deleted), an event further
   on (out of order), or an earlier event (what lies between was inserted);
2. it must be signed with a configured key (``key_id``), or be an unkeyed
   version-1 event with no keyed event before it (and none after an anchor
   taken by a keyed check): anyone can compute an unkeyed hash, so an
   unkeyed event where a keyed one belongs is a forgery;
3. its stored hash must match its content. If not, it was altered, unless the
   next event still links to the one before it (then it was inserted).

   A redacted event (its case file destroyed: ``audit.redaction``) no
   longer matches its content; it must be blank (``reason`` empty,
   ``payload`` ``REDACTED_PAYLOAD``), and its stored hash is trusted only if
   a later ``case_destroyed`` event *of the same case*, itself verified
   (chained, or pending with a good seal), lists its ``seq`` with the
   fingerprint of what it kept (``audit.chain.redaction_fingerprint``: its
   links, hash and every unblanked column). One no such event lists is
   reported as altered once the walk has seen every later event; so is an
   event listed but not redacted (its text put back), or listed by another
   case's event;

4. then, apart from the walk, every pending event (committed, not yet
   chained: ADR 0016) must still match its seal, and none may have waited
   longer than ``FTP_AUDIT_PENDING_STALE_MINUTES``: the sequencer chains them
   within moments, so an old one means it has stalled, and until it is
   chained an event is not covered by the chain or an anchor.

The chain alone cannot show its newest events cut off, or every hash
recomputed by someone holding the key; anchors kept outside the database
(``audit.anchors``) can, and ``check_anchor`` compares with one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hmac
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, NamedTuple, Protocol

from django.conf import settings
from django.utils import timezone

from .chain import (
    GENESIS,
    content_of,
    event_hash,
    event_seal,
    redaction_fingerprint,
    unkeyed_event_hash,
)
from .keyring import AuditKey, Keyring
from .models import AuditEvent, EventType

# The event that authorises redactions, its payload's list of their seqs and
# their fingerprints by seq (as text: JSON keys), and what a redacted event
# holds (``audit.redaction``, which imports this module's callers).
REDACTION_ACTION = EventType.CASE_DESTROYED.value
LISTED = "redacted_seqs"
FINGERPRINTS = "redacted_fingerprints"
REDACTED_PAYLOAD: dict[str, Any] = {"redacted": True}

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
    "key_id",
    "redacted_at",
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
    key_id: str | None = None
    redacted_at: Any = None


class Ref(NamedTuple):
    seq: int
    id: int


class Kind(enum.StrEnum):
    ALTERED = "content altered"
    MISSING = "missing (deleted)"
    FORGED = "forged (inserted)"
    OUT_OF_ORDER = "out of order"
    UNKNOWN_KEY = "signed with an unknown key"
    # A pending event waiting far longer than the sequencer ever takes.
    STALLED = "pending too long (sequencer stalled)"
    # Found by comparing with an anchor kept outside the database.
    TRUNCATED = "truncated"
    ANCHOR_MISMATCH = "anchor mismatch"


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
    # Found among the pending events (no seq yet): ``seq`` is where the chain
    # would have taken it, after the head.
    pending: bool = False


@dataclasses.dataclass(frozen=True)
class Report:
    events: int  # events checked (up to, not including, a break)
    head: Ref | None
    head_hash: str
    breakage: Breakage | None = None
    # Events committed but not yet chained when the check looked (ADR 0016).
    pending: int = 0

    @property
    def broken(self) -> bool:
        return self.breakage is not None

    @property
    def empty(self) -> bool:
        """No events and nothing broken: nothing is proven either way."""
        return self.breakage is None and self.events == 0

    @property
    def intact(self) -> bool:
        """At least one event, and every one verified."""
        return self.breakage is None and self.events > 0

    @property
    def status(self) -> str:
        return "broken" if self.broken else "empty" if self.empty else "intact"

    def __str__(self) -> str:
        if self.empty:
            return "empty: no events to verify"
        waiting = f", {self.pending} pending" if self.pending else ""
        if self.breakage is None:
            return f"intact, {self.events} events{waiting}"
        b = self.breakage
        if b.pending:
            return f"broken at pending event id={b.id}: {b.kind} - {b.detail}"
        if b.id == 0:  # no event to name: the anchored one is gone, or the log is empty
            return f"broken at seq={b.seq}: {b.kind} - {b.detail}"
        return f"broken at event seq={b.seq} (id={b.id}): {b.kind} - {b.detail}"


def row_hash(row: Row, key: AuditKey | None) -> str:
    """The hash ``row`` should have: keyed under ``key`` (version 2), or
    unkeyed (version 1) when the row names no key."""
    if key is None:
        return unkeyed_event_hash(prev_hash=row.prev_hash, **content_of(row))
    return event_hash(key=key, prev_hash=row.prev_hash, **content_of(row))


class Listing(NamedTuple):
    """What a verified ``case_destroyed`` event says of one event it redacted."""

    case_id: int | None
    fingerprint: str


def check_chain(
    rows: Iterable[Row],
    lookup: Lookup,
    *,
    keyring: Keyring,
    keyed_after: int | None = None,
    listed_pending: Mapping[int, Listing] | None = None,
) -> Report:
    """Check rows given in ``seq`` order; stop at the first broken event.

    ``keyed_after``: every event after this seq must be keyed (an anchor
    recorded by a keyed check says the log was keyed from then on).
    ``listed_pending``: what pending ``case_destroyed`` events whose seals
    verify list as redacted (``listed_by_pending``).
    """
    prev: Row | None = None
    count = 0
    keyed_seen: Row | None = None
    redactions = _Redactions(listed_pending or {}, lookup)
    for row, nxt in _with_next(rows):
        breakage = _check_link(prev, row, lookup)
        if breakage is None:
            key, breakage = _check_key(row, keyring, keyed_seen, keyed_after)
        if breakage is None and row.redacted_at is not None:
            breakage = redactions.await_listing(row)
        elif breakage is None:
            breakage = _check_content(prev, row, nxt, key) or redactions.listed_by(row)
        if breakage is not None:
            return _report(count, prev, breakage)
        if row.key_id is not None and keyed_seen is None:
            keyed_seen = row
        prev, count = row, count + 1
    return _report(count, prev, redactions.unlisted())


def listing_of(row: Row) -> dict[int, Listing]:
    """What a ``case_destroyed`` row lists as redacted, by seq (empty for any
    other row). Only a row already verified may be believed."""
    if row.action != REDACTION_ACTION or not isinstance(row.payload, dict):
        return {}
    seqs, prints = row.payload.get(LISTED, ()), row.payload.get(FINGERPRINTS, {})
    if not isinstance(seqs, list) or not isinstance(prints, dict):
        return {}
    return {
        seq: Listing(row.case_id, str(prints.get(str(seq), "")))
        for seq in seqs
        if isinstance(seq, int) and (row.seq is None or seq < row.seq)
    }


class _Redactions:
    """The redacted events seen in the walk that no verified ``case_destroyed``
    event has listed yet. A case's events are redacted together at its
    destruction, so this holds at most one case's events at a time.

    A listing vouches for an event only if the event is blank, of the
    listing's case, and still has the fingerprint listed; an event listed
    but not redacted had its text put back."""

    def __init__(self, listed_pending: Mapping[int, Listing], lookup: Lookup) -> None:
        self._waiting: dict[int, tuple[int, Listing]] = {}  # seq -> (id, what it is now)
        self._pending = dict(listed_pending)
        self._lookup = lookup

    def await_listing(self, row: Row) -> Breakage | None:
        if row.reason != "" or row.payload != REDACTED_PAYLOAD:
            return _broken(
                row, Kind.ALTERED, "marked redacted, but it holds text: its content was changed"
            )
        now = Listing(row.case_id, redaction_fingerprint(row))
        listed = self._pending.pop(row.seq, None)
        if listed is None:
            self._waiting[row.seq] = (row.id, now)
            return None
        return _mismatch(row.seq, row.id, listed, now, "a pending case_destroyed event")

    def listed_by(self, row: Row) -> Breakage | None:
        """``row`` verified; if it records a destruction, what it lists is trusted."""
        for seq, listed in listing_of(row).items():
            waiting = self._waiting.pop(seq, None)
            if waiting is None:
                return self._not_redacted(seq, f"case_destroyed seq={row.seq}")
            breakage = _mismatch(
                seq, waiting[0], listed, waiting[1], f"case_destroyed seq={row.seq}"
            )
            if breakage is not None:
                return breakage
        return None

    def unlisted(self) -> Breakage | None:
        if self._waiting:
            seq = min(self._waiting)
            return Breakage(
                seq,
                self._waiting[seq][0],
                Kind.ALTERED,
                "redacted, but no later case_destroyed event lists it: its content was changed",
            )
        if self._pending:
            return self._not_redacted(min(self._pending), "a pending case_destroyed event")
        return None

    def _not_redacted(self, seq: int, by: str) -> Breakage:
        found = self._lookup.by_seq(seq)
        return Breakage(
            seq,
            found.id if found else 0,
            Kind.ALTERED,
            f"{by} lists it as redacted, but it is not: its text was put back",
        )


def _mismatch(seq: int, id_: int, listed: Listing, now: Listing, by: str) -> Breakage | None:
    """Why ``listed`` does not vouch for the redacted event ``seq`` as it is ``now``."""
    if listed.case_id != now.case_id:
        return Breakage(
            seq, id_, Kind.ALTERED, f"redacted, but {by} that lists it is another case's"
        )
    if not hmac.compare_digest(listed.fingerprint.encode(), now.fingerprint.encode()):
        return Breakage(
            seq,
            id_,
            Kind.ALTERED,
            f"redacted, and what it kept (links, hash, columns) differs from what {by} lists",
        )
    return None


def _check_key(
    row: Row, keyring: Keyring, keyed_seen: Row | None, keyed_after: int | None
) -> tuple[AuditKey | None, Breakage | None]:
    """The key ``row`` verifies with (None: unkeyed), or why it cannot."""
    if row.key_id is None:
        if keyed_seen is not None:
            return None, _broken(
                row,
                Kind.FORGED,
                f"unkeyed (version 1) after the keyed event seq={keyed_seen.seq}: "
                "anyone can compute its hash",
            )
        if keyed_after is not None and row.seq > keyed_after:
            return None, _broken(
                row,
                Kind.FORGED,
                f"unkeyed (version 1), but an anchor shows the log keyed from seq={keyed_after}",
            )
        return None, None
    key = keyring.get(row.key_id)
    if key is None:
        return None, _broken(
            row,
            Kind.UNKNOWN_KEY,
            f"key id {row.key_id!r} is not configured (retired keys must stay configured)",
        )
    return key, None


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


def _check_content(
    prev: Row | None, row: Row, nxt: Row | None, key: AuditKey | None
) -> Breakage | None:
    # Bytes: compare_digest refuses non-ASCII text, which a tampered row may hold.
    if hmac.compare_digest(row_hash(row, key).encode(), row.hash.encode()):
        return None
    if nxt is not None and nxt.prev_hash == (prev.hash if prev else GENESIS):
        return _broken(row, Kind.FORGED, "its hash is wrong and the next event links past it")
    return _broken(row, Kind.ALTERED, "its stored hash does not match its content")


def _broken(row: Row, kind: Kind, detail: str) -> Breakage:
    return Breakage(row.seq, row.id, kind, detail)


class DatabaseLookup:
    """Diagnosis lookups against the log itself (used at a break only).
    Chained events only: a pending event's ``hash`` is a seal, linked to nothing."""

    def by_hash(self, value: str) -> Ref | None:
        found = AuditEvent.objects.chained().filter(hash=value).order_by("seq")
        return _ref(found.values_list("seq", "id").first())

    def by_seq(self, seq: int) -> Ref | None:
        return _ref(AuditEvent.objects.filter(seq=seq).values_list("seq", "id").first())


def _ref(pair: tuple[int | None, int] | None) -> Ref | None:
    return Ref(pair[0], pair[1]) if pair and pair[0] is not None else None


def stream_rows(chunk_size: int = 5000) -> Iterator[Row]:
    """Every chained event in ``seq`` order, fetched ``chunk_size`` at a time
    (a server-side cursor on PostgreSQL)."""
    rows = AuditEvent.objects.chained().order_by("seq").values_list(*COLUMNS)
    return (Row(*r) for r in rows.iterator(chunk_size=chunk_size))


def stream_pending(chunk_size: int = 5000) -> Iterator[Row]:
    """Every pending event by id (``seq`` None), streamed like ``stream_rows``."""
    rows = AuditEvent.objects.pending().order_by("id").values_list(*COLUMNS)
    return (Row(*r) for r in rows.iterator(chunk_size=chunk_size))


def listed_by_pending(keyring: Keyring) -> dict[int, Listing]:
    """What pending ``case_destroyed`` events list as redacted: a destruction
    whose own event waits for the sequencer. Few, if any. Only an event whose
    seal verifies is believed (``check_pending`` reports the others)."""
    listed: dict[int, Listing] = {}
    rows = AuditEvent.objects.pending().filter(action=REDACTION_ACTION).values_list(*COLUMNS)
    for row in (Row(*r) for r in rows):
        key = keyring.get(row.key_id) if row.key_id else None
        if key is not None and hmac.compare_digest(_seal(row, key).encode(), row.hash.encode()):
            listed.update(listing_of(row))
    return listed


def check_pending(
    rows: Iterable[Row], *, keyring: Keyring, after_seq: int, stale_before: dt.datetime
) -> tuple[int, Breakage | None]:
    """Count pending events and find the first that is altered, unsealed or
    stale (pure). An altered one is reported before a merely stale one."""
    count, stale = 0, None
    for row in rows:
        count += 1
        key = keyring.get(row.key_id) if row.key_id else None
        if key is None or not hmac.compare_digest(_seal(row, key).encode(), row.hash.encode()):
            detail = "changed while pending: it no longer matches its seal"
            if key is None:
                detail = f"pending with no configured key ({row.key_id!r}): it cannot be sealed"
            return count, Breakage(after_seq + 1, row.id, Kind.ALTERED, detail, pending=True)
        if stale is None and row.at < stale_before:
            stale = Breakage(
                after_seq + 1,
                row.id,
                Kind.STALLED,
                f"waiting since {row.at.isoformat()}: the sequencer has not run "
                "(is beat's audit-sequence task running?)",
                pending=True,
            )
    return count, stale


def _seal(row: Row, key: AuditKey) -> str:
    return event_seal(key=key, **content_of(row))


def verify_log(
    *, chunk_size: int = 5000, keyring: Keyring | None = None, keyed_after: int | None = None
) -> Report:
    """Verify the current chain, with the configured keys unless told,
    then the events still pending (counted; altered or stale ones break it).

    Pending events are read after the walk: one chained meanwhile is simply
    not among them, one appended meanwhile is counted."""
    keys = keyring or settings.FTP_AUDIT_KEYRING
    report = check_chain(
        stream_rows(chunk_size),
        DatabaseLookup(),
        keyring=keys,
        keyed_after=keyed_after,
        listed_pending=listed_by_pending(keys),
    )
    stale_before = timezone.now() - dt.timedelta(minutes=settings.FTP_AUDIT_PENDING_STALE_MINUTES)
    count, problem = check_pending(
        stream_pending(chunk_size),
        keyring=keys,
        after_seq=report.head.seq if report.head else 0,
        stale_before=stale_before,
    )
    return dataclasses.replace(report, pending=count, breakage=report.breakage or problem)


def check_anchor(seq: int, value: str, *, source: str = "the anchor") -> Breakage | None:
    """Compare with a head hash recorded outside the system (an anchor).

    The chain alone cannot show that its newest events were cut off, or that
    the whole chain was recomputed after an edit; a recorded anchor can.
    """
    if seq == 0:
        return None  # anchored an empty log: nothing to find
    found = AuditEvent.objects.filter(seq=seq).values_list("id", "hash").first()
    if found is None:
        return Breakage(seq, 0, Kind.TRUNCATED, f"event seq={seq} in {source} is gone: cut short")
    if not hmac.compare_digest(found[1].encode(), value.encode()):
        return Breakage(
            seq,
            found[0],
            Kind.ANCHOR_MISMATCH,
            f"its hash differs from {source}: the chain was recomputed or the event replaced",
        )
    return None
