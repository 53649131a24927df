"""Keyset ("newer / older") paging: a page costs the same on any size of table.

Django's ``Paginator`` counts every matching row (``COUNT(*)``) and skips to
a page with ``OFFSET``, so page 1 of a 100,000-row list already reads every
row once, and page 4,000 reads 100,000 rows to throw them away. A keyset page
instead asks for the rows just after (or before) the last row shown, in the
list's own order: with an index on that order the database reads one page's
rows, however long the list. The price is that a keyset list has no page
numbers and no total, only links to the newer and older pages, which is how
people read a case list or a log anyway.

A cursor names the row a page starts after (or ends before), as the values of
the list's ordering fields, so it stays right while rows are added: a new case
appears at the top, never shifting the page someone is reading. Cursors are
opaque to people (base64 of a small JSON list) but not secret: they hold only
values of fields the list orders by, and the list's own filters still scope
every row. A damaged or stale cursor is refused at the door (``CursorField``)
or, if its values no longer fit the fields, gives the first page.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Model, Q, QuerySet

T = TypeVar("T")
M = TypeVar("M", bound=Model)

AFTER = "a"  # the rows after the cursor in the list's order: the next (older) page
BEFORE = "b"  # the rows before it: the previous (newer) page
CURSOR_MAX_LENGTH = 200
CURSOR_MESSAGE = "This link to a page is damaged or out of date: start again from the first page."


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: ``direction`` (``AFTER`` or ``BEFORE``) and the
    ordering fields' values of the row it starts from, as text."""

    direction: str
    values: tuple[str | int, ...]

    def encode(self) -> str:
        raw = json.dumps([self.direction, *self.values], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """The cursor in ``text``, or ``ValueError`` if it is not one."""
        if not text or len(text) > CURSOR_MAX_LENGTH or not text.isascii():
            raise ValueError("not a cursor")
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            parts = json.loads(raw.decode())
        except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError("not a cursor") from exc
        if not isinstance(parts, list) or len(parts) < 2 or parts[0] not in (AFTER, BEFORE):
            raise ValueError("not a cursor")
        values = parts[1:]
        if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in values):
            raise ValueError("not a cursor")
        return cls(direction=parts[0], values=tuple(values))


class CursorField(forms.CharField):
    """A page cursor from a query string: blank is the first page; anything
    that is not a cursor this product made is a 400 naming it."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Page")
        super().__init__(max_length=CURSOR_MAX_LENGTH, **kwargs)

    def clean(self, value: Any) -> Cursor | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return Cursor.decode(text)
        except ValueError as exc:
            raise ValidationError(CURSOR_MESSAGE, code="cursor") from exc


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    """One page of a keyset-paged list, and the cursors to its neighbours
    (``None`` where there is no such page)."""

    rows: list[T]
    newer: str | None
    older: str | None

    def __iter__(self) -> Any:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def has_other_pages(self) -> bool:
        return self.newer is not None or self.older is not None


def _field(model: type[Model], name: str) -> Any:
    return model._meta.get_field(name)


def _parse(model: type[Model], order: Sequence[str], cursor: Cursor) -> list[Any] | None:
    """The cursor's values as the ordering fields' Python values, or None if they do not fit."""
    if len(cursor.values) != len(order):
        return None
    try:
        return [
            _field(model, name.lstrip("-")).to_python(value)
            for name, value in zip(order, cursor.values, strict=True)
        ]
    except (ValidationError, FieldDoesNotExist, TypeError, ValueError, OverflowError):
        return None


def _beyond(order: Sequence[str], values: Sequence[Any], forward: bool) -> Q:
    """Rows strictly past ``values`` in ``order`` (``forward``) or before it.

    ``(a, b) > (x, y)`` is written ``a > x OR (a = x AND b > y)``, with the
    first field's bound (``a >= x``) added alone as well: PostgreSQL cannot
    start an index scan from an OR, but it can from that bound, so the index
    on the list's order serves the page."""
    names = [n.lstrip("-") for n in order]
    ops = ["lt" if (n.startswith("-") == forward) else "gt" for n in order]
    q = Q()
    for i in range(len(order) - 1, -1, -1):
        step = Q(**{f"{names[i]}__{ops[i]}": values[i]})
        ties = Q(**{names[j]: values[j] for j in range(i)})
        q = (ties & step) if i == len(order) - 1 else q | (ties & step)
    return Q(**{f"{names[0]}__{ops[0]}e": values[0]}) & q


def _key(row: Any, order: Sequence[str]) -> tuple[str | int, ...]:
    """The row's ordering values as a cursor holds them (dates as ISO text)."""
    out: list[str | int] = []
    for name in order:
        value = getattr(row, name.lstrip("-"))
        if isinstance(value, int) and not isinstance(value, bool):
            out.append(value)
        else:
            out.append(value.isoformat() if hasattr(value, "isoformat") else str(value))
    return tuple(out)


def keyset_page(
    qs: QuerySet[M], *, order: Sequence[str], cursor: Cursor | None, size: int
) -> KeysetPage[Any]:
    """One page of ``qs`` in ``order`` (model fields; the last one unique,
    none null) starting at ``cursor``: at most ``size`` rows, read with one
    query of ``size + 1`` rows, whatever the length of the list.

    A cursor whose values do not fit the fields gives the first page."""
    values = _parse(qs.model, order, cursor) if cursor is not None else None
    if cursor is None or values is None:
        rows = _rows(qs, qs.order_by(*order), size)
        return _page(rows[:size], order, newer=False, older=len(rows) > size)
    forward = cursor.direction == AFTER
    reverse = [n[1:] if n.startswith("-") else f"-{n}" for n in order]
    ordered = qs.filter(_beyond(order, values, forward)).order_by(*(order if forward else reverse))
    rows = _rows(qs, ordered, size)
    more = len(rows) > size
    rows = rows[:size]
    if forward:
        return _page(rows, order, newer=True, older=more)
    rows.reverse()
    return _page(rows, order, newer=more, older=True)


def _rows(qs: QuerySet[M], ordered: QuerySet[M], size: int) -> list[Any]:
    """The first ``size + 1`` rows of ``ordered``: their keys first, from the
    list's own table (no joined table whose row-level security policy the
    planner would take as independent of the list's, and so misestimate the
    rows and sort a whole trust's rather than walk the trust-first index),
    then the rows by key, with ``qs``'s joins. docs/performance.md "Many trusts"."""
    keys = list(ordered.values_list("pk", flat=True)[: size + 1])
    position = {key: i for i, key in enumerate(keys)}
    return sorted(qs.filter(pk__in=keys), key=lambda row: position[row.pk])


def _page(rows: list[Any], order: Sequence[str], *, newer: bool, older: bool) -> KeysetPage[Any]:
    """The page with cursors from its first and last rows (none on an empty page)."""
    if not rows:
        return KeysetPage(rows=[], newer=None, older=None)
    return KeysetPage(
        rows=rows,
        newer=Cursor(BEFORE, _key(rows[0], order)).encode() if newer else None,
        older=Cursor(AFTER, _key(rows[-1], order)).encode() if older else None,
    )
