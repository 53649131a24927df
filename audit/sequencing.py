"""How events join their chain without writers on different cases waiting
for each other (ADR 0016). ``audit.services`` holds the public services;
this module holds their moving parts.

There is one chain per trust, and one for the deployment (events written
outside any trust: ``trust_id`` null). An event joins the chain of the
trust being acted for when it is written (``tenancy.context``); every
statement here reads and writes that chain only, and each chain has its
own lock, so two trusts' writers never wait for or touch each other
(ADR 0020).

Each chain stays one sequence ordered by ``seq``; only who appends to it,
and when, changes. A writer tries its chain's lock without waiting
(``pg_try_advisory_xact_lock``):

* **got it**: it chains its event at once (``seq``, link, keyed hash), as
  before, and keeps the head for the rest of its transaction, so a second
  event in the same transaction is one INSERT;
* **busy**: it inserts the event *pending* (no ``seq``, no link, sealed with
  the key: ``audit.chain.event_seal``) and goes on.

Either way, after its transaction commits it looks for pending events in
each chain it appended to and, if there are any and the lock is free,
chains them in batches
(``sequence_pending``); if the lock is busy it stops, because whoever holds
it looks again after releasing it. That is why a committed pending event is
always chained: the writer that found the lock busy committed first, and the
holder's look comes after its release, so it sees that commit (ADR 0016
gives the argument, and the one gap: a holder that rolls back does not look
again, so the next writer's look or beat's run every minute chains it).
"""

from __future__ import annotations

import dataclasses
import hmac
import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from tenancy.context import current_trust_id, trust_entered

from .chain import GENESIS, EventContent, content_of, event_hash, event_seal
from .models import AuditEvent

logger = logging.getLogger(__name__)

# pg_advisory_xact_lock keys for "append to an audit chain": b"ftpaudit" for
# the deployment chain, plus the trust's id for a trust's (``chain_lock_key``).
CHAIN_LOCK_BASE = 0x6674706175646974

# A chain: a trust's id, or None for the deployment chain.
Chain = int | None


def chain_lock_key(chain: Chain) -> int:
    """The advisory lock key of ``chain``'s lock."""
    return CHAIN_LOCK_BASE + (chain or 0)


def _in_chain(sql: str, chain: Chain, *params: Any) -> tuple[str, list[Any]]:
    """``sql`` with its ``{chain}`` condition for ``chain``, and its parameters.

    The filter is written out although the row-level security policy
    applies it too: the owner and a superuser are not subject to the policy,
    and ``trust_id = %s`` or ``IS NULL`` (unlike the policy's ``IS NOT
    DISTINCT FROM``) lets the trust-first indexes be used."""
    if chain is None:
        return sql.format(chain="trust_id IS NULL"), list(params)
    return sql.format(chain="trust_id = %s"), [chain, *params]


# Pending events chained per UPDATE: one statement, a short hold of the lock.
SEQUENCE_BATCH = 500


def try_lock_chain() -> bool:
    """Take the current chain's lock for this transaction if it is free; never wait.

    SQLite allows one writer at a time anyway, so there it is always "got".
    Taken before the head is read: under READ COMMITTED the next statement
    then sees every append committed by whoever held the lock before us.
    """
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [chain_lock_key(current_trust_id())])
        row = cursor.fetchone()
    return bool(row and row[0])


def chain_head() -> tuple[int, str]:
    """The current chain's last chained event's seq and hash (0 and GENESIS
    for an empty chain). Read only with the chain lock held. Raw SQL, as the
    sequencer's other statements: they run after every commit, and the ORM's
    compiling cost more than the queries."""
    with connection.cursor() as cursor:
        cursor.execute(*_in_chain(_HEAD, current_trust_id()))
        head = cursor.fetchone()
    return (int(head[0]), str(head[1])) if head else (0, GENESIS)


_TRY_LOCK_TO_SEQUENCE = (
    "SELECT pg_try_advisory_xact_lock(%s), set_config('synchronous_commit', 'off', true)"
)
# Each with a ``{chain}`` condition (``_in_chain``): the chain's own rows only.
_HEAD = (
    "SELECT seq, hash FROM audit_auditevent WHERE {chain} AND seq IS NOT NULL"
    " ORDER BY seq DESC LIMIT 1"
)
# Any pending event not refused. ``seq IS NULL`` is the partial index's predicate.
_LOOK = (
    "SELECT EXISTS (SELECT 1 FROM audit_auditevent"
    " WHERE {chain} AND seq IS NULL AND NOT id = ANY(%s))"
)
_PENDING = (
    "SELECT id, case_id, actor_id, at, action, from_stage, to_stage, reason, payload, key_id,"
    " hash FROM audit_auditevent WHERE {chain} AND seq IS NULL AND NOT id = ANY(%s)"
    " ORDER BY id LIMIT %s"
)
# Only these four columns, and only on rows still pending: the append-only
# trigger refuses any other change.
_LINK = (
    "UPDATE audit_auditevent AS e SET seq = v.seq, prev_hash = v.prev_hash, hash = v.hash,"
    " key_id = v.key_id FROM unnest(%s::bigint[], %s::bigint[], %s::text[], %s::text[],"
    " %s::text[]) AS v(id, seq, prev_hash, hash, key_id) WHERE e.id = v.id AND e.seq IS NULL"
)


@dataclasses.dataclass
class ChainAppends:
    """One transaction's appends to one chain."""

    # Our last chained event (seq, hash), and the savepoints open when we wrote it.
    head: tuple[int, str] | None = None
    head_savepoints: tuple[str, ...] = ()
    # The lock was busy: this transaction's events in this chain are all pending.
    pending: bool = False

    def head_still_ours(self) -> bool:
        """Our last chained event is still in this transaction: every
        savepoint open when we wrote it is still open (a savepoint rolled back
        would have taken the event, and on PostgreSQL the lock, with it)."""
        open_now = tuple(connection.savepoint_ids)
        return self.head is not None and open_now[: len(self.head_savepoints)] == (
            self.head_savepoints
        )

    def remember(self, seq: int, event: AuditEvent) -> None:
        self.head = (seq, event.hash)
        self.head_savepoints = tuple(connection.savepoint_ids)


@dataclasses.dataclass
class TransactionAppends:
    """One transaction's appends to the log, by chain.

    ``callback`` is registered with ``on_commit`` when the transaction's first
    event is appended: it runs the sequencer of each chain appended to after
    commit, and while Django still holds it the transaction (or the savepoint
    that registered it) has not rolled back, which is what makes each chain's
    ``head`` safe to reuse.
    """

    callback: Callable[[], None]
    chains: dict[Chain, ChainAppends]

    def registered(self) -> bool:
        # Django keeps (savepoint ids, function, robust) until commit; it drops
        # an entry when its savepoint rolls back and all of them on rollback.
        return any(entry[1] is self.callback for entry in connection.run_on_commit)

    def chain(self, chain: Chain) -> ChainAppends:
        """This transaction's appends to ``chain``."""
        return self.chains.setdefault(chain, ChainAppends())


_local = threading.local()


def transaction_appends() -> TransactionAppends:
    """This transaction's appends, registering the after-commit sequencer on
    the first. Call inside an atomic block."""
    current: TransactionAppends | None = getattr(_local, "appends", None)
    if current is None or not current.registered():
        chains: dict[Chain, ChainAppends] = {}
        current = TransactionAppends(callback=_after_commit(chains), chains=chains)
        # robust: the action has committed; a failed sequencer run is logged,
        # never turned into an error for the person who acted.
        transaction.on_commit(current.callback, robust=True)
        _local.appends = current
    return current


def forget_head() -> None:
    """Read the head again at the next append in this transaction.

    Only for what writes to the log around ``audit_record`` inside the same
    transaction (tests playing a superuser who edits the table directly):
    nothing else can append while this transaction holds the lock.
    """
    current: TransactionAppends | None = getattr(_local, "appends", None)
    if current is not None:
        for appends in current.chains.values():
            appends.head = None


def _after_commit(chains: dict[Chain, ChainAppends]) -> Callable[[], None]:
    """A transaction's own callback: a new function each time, so
    ``registered`` tells one transaction's from another's. It sequences each
    chain the transaction appended to, inside that chain's trust: the
    transaction may commit after the block that entered the trust ended."""

    def sequence_pending_after_commit() -> None:
        for chain in list(chains):
            with trust_entered(chain):
                sequence_pending()

    return sequence_pending_after_commit


def next_link(appends: ChainAppends) -> tuple[int, str] | None:
    """The seq and hash a new event of the current chain follows, or None:
    append it pending. ``appends`` is this transaction's for that chain."""
    if appends.pending:
        return None
    if appends.head is not None and appends.head_still_ours():
        return appends.head
    if not try_lock_chain():
        appends.pending = True
        return None
    return chain_head()


def seal(event: AuditEvent) -> None:
    """Make ``event`` pending: no seq or link, sealed with the current key."""
    key = settings.FTP_AUDIT_KEYRING.current
    event.seq, event.prev_hash, event.key_id = None, "", key.id
    event.hash = event_seal(key=key, **content_of(event))


def link(event: AuditEvent, seq: int, prev_hash: str) -> None:
    """Put ``event`` in the chain after ``prev_hash``, signed with the current key."""
    key = settings.FTP_AUDIT_KEYRING.current
    event.seq, event.prev_hash, event.key_id = seq, prev_hash, key.id
    event.hash = event_hash(key=key, prev_hash=prev_hash, **content_of(event))


def _seal_intact(fields: EventContent, key_id: str | None, seal_value: str) -> bool:
    """Whether a pending event's content still matches the seal it was written with."""
    key = settings.FTP_AUDIT_KEYRING.get(key_id) if key_id else None
    if key is None:
        return False
    return hmac.compare_digest(event_seal(key=key, **fields).encode(), seal_value.encode())


def sequence_pending(*, batch_size: int = SEQUENCE_BATCH) -> int:
    """Chain every pending event of the current chain (the current trust's, or
    outside any trust the deployment's), oldest id first, in batches; how many.

    Each batch is its own short transaction holding the chain lock. After
    each release it looks again, so an event whose writer found the lock
    busy (and so left it to us) is chained. If the lock is busy it stops:
    the holder looks again after its own release. On SQLite nothing is
    ever pending (``try_lock_chain``), so there is nothing to do.
    """
    if connection.vendor != "postgresql":
        return 0
    chained = 0
    refused: list[int] = []
    while _any_pending(refused):
        with transaction.atomic():
            if not _try_lock_to_sequence():
                return chained
            done = _chain_batch(batch_size, refused)
        chained += done
    return chained


def _try_lock_to_sequence() -> bool:
    """``try_lock_chain``, and this transaction commits without waiting for
    the disk (``synchronous_commit`` off, for it alone).

    Safe because a batch only gives positions to events already durably
    committed by their writers. A crash can lose the last few batches; their
    events are then pending again and are chained afresh, and nothing that
    rests on a position can outlive it: every later append, export and
    anchor commits synchronously, and PostgreSQL flushes the log in order,
    so their flush makes the batches before them durable too.
    """
    with connection.cursor() as cursor:
        cursor.execute(_TRY_LOCK_TO_SEQUENCE, [chain_lock_key(current_trust_id())])
        row = cursor.fetchone()
    return bool(row and row[0])


def _any_pending(refused: list[int]) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(*_in_chain(_LOOK, current_trust_id(), refused))
        row = cursor.fetchone()
    return bool(row and row[0])


def _chain_batch(batch_size: int, refused: list[int]) -> int:
    """Chain up to ``batch_size`` pending events after the head, in one UPDATE.

    An event whose seal no longer matches was changed while pending: it is
    left pending (``audit.verify`` reports it) and added to ``refused``.
    """
    seq, prev_hash = chain_head()
    with connection.cursor() as cursor:
        cursor.execute(*_in_chain(_PENDING, current_trust_id(), refused, batch_size))
        batch = cursor.fetchall()
    key = settings.FTP_AUDIT_KEYRING.current
    links: list[tuple[int, int, str, str, str]] = []
    for (
        event_id,
        case_id,
        actor_id,
        at,
        action,
        from_,
        to,
        reason,
        payload,
        key_id,
        seal_value,
    ) in batch:
        fields = EventContent(
            case_id=case_id,
            actor_id=actor_id,
            at=at,
            action=action,
            from_stage=from_,
            to_stage=to,
            reason=reason,
            payload=_json(payload),
        )
        if not _seal_intact(fields, key_id, seal_value):
            logger.error("Audit event id=%s changed while pending: not chained.", event_id)
            refused.append(event_id)
            continue
        seq += 1
        digest = event_hash(key=key, prev_hash=prev_hash, **fields)
        links.append((event_id, seq, prev_hash, digest, key.id))
        prev_hash = digest
    if links:
        _link_all(links)
        # Run inside a transaction that appended (a test running its commit
        # hooks early), the head it kept has moved on.
        forget_head()
    return len(links)


def _json(value: Any) -> Any:
    """A payload as the JSONField gives it back (Django reads jsonb as text)."""
    return json.loads(value) if isinstance(value, str) else value


def _link_all(links: list[tuple[int, int, str, str, str]]) -> None:
    columns = [list(column) for column in zip(*links, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(_LINK, columns)
        if cursor.rowcount != len(links):
            # Only the lock's holder links, so this cannot happen; if it did,
            # roll the batch back rather than leave the chain half-linked.
            raise RuntimeError(f"audit sequencer linked {cursor.rowcount} of {len(links)} events")
