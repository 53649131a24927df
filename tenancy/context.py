"""The trust a request, task or command acts for, and the one way to enter it.

The current trust is a context variable (so each thread and each task has its
own) mirrored into the database session setting ``app.trust_id``, which the
row-level security policies read (ADR 0020, docs/tenancy.md). Entering a trust
sets both; leaving restores both, so a connection kept between requests
(``DB_CONN_MAX_AGE``) never carries one request's trust into the next. A new
connection is given the current trust as it opens; with no trust entered the
setting is empty and every tenant table reads as empty and refuses writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import DatabaseError, connections

SETTING = "app.trust_id"

T = TypeVar("T")

_current: ContextVar[int | None] = ContextVar("ftp_trust", default=None)


class NoTrustEntered(RuntimeError):
    """Work that needs a trust was started outside one."""


def current_trust_id() -> int | None:
    """The trust being acted for, or None outside any trust."""
    return _current.get()


def trust_id_required() -> int:
    """The trust being acted for; raises ``NoTrustEntered`` outside any trust."""
    trust_id = _current.get()
    if trust_id is None:
        raise NoTrustEntered("This needs a trust: enter one with tenancy.context.trust_entered.")
    return trust_id


def default_trust_id() -> int | None:
    """The default of every tenant row's ``trust`` column: the current trust.

    None outside a trust, which the column's NOT NULL refuses: a row is never
    written to a trust nobody chose."""
    return _current.get()


@contextmanager
def trust_entered(trust: Any) -> Iterator[None]:
    """Act for ``trust`` (a Trust, its id, or None for no trust) inside the block."""
    trust_id = None if trust is None else int(getattr(trust, "pk", trust))
    if trust_id == _current.get():
        yield
        return
    token = _current.set(trust_id)
    _apply(trust_id)
    try:
        yield
    finally:
        _current.reset(token)
        _apply(_current.get())


def _value(trust_id: int | None) -> str:
    return "" if trust_id is None else str(trust_id)


def _apply(trust_id: int | None) -> None:
    for connection in connections.all(initialized_only=True):
        if connection.vendor != "postgresql" or connection.connection is None:
            continue
        _set(connection, trust_id)


def _set(connection: Any, trust_id: int | None) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", [SETTING, _value(trust_id)])
    except DatabaseError:
        # A transaction already failed: its rollback will undo whatever it
        # set. Outside a transaction, drop the connection rather than keep
        # one whose trust is not known.
        if not connection.in_atomic_block:
            connection.close()


def connection_trust_apply(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: a new connection starts in the current trust."""
    if connection.vendor == "postgresql":
        _set(connection, _current.get())


def bound_to_current_trust(work: Callable[..., T]) -> Callable[..., T]:
    """``work`` to be run later (``transaction.on_commit``, a thread) inside
    the trust current now: the caller may have left it by then."""
    trust_id = _current.get()

    def run(*args: Any, **kwargs: Any) -> T:
        with trust_entered(trust_id):
            return work(*args, **kwargs)

    return run
