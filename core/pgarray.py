"""A list sent to PostgreSQL as one array literal: ``'{1,2,3}'``.

psycopg adapts a Python list element by element, quoting each in Python:
for the thousand-element lists of a sweep batch that took longer than the
database took to use them (about 10 ms of a 90 ms sweep). Written as one
literal string, cast in SQL (``%s::bigint[]``), the same list costs one
``join``. ``tests/core/test_pgarray.py`` holds the literal to PostgreSQL's
own reading of it, for any text, number, date or None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

# Characters that make an element need double quotes in an array literal.
_SPECIAL = frozenset('{},"\\ \t\n\r\f\v')

Element = str | int | dt.date | None


def array_literal(values: Iterable[Element]) -> str:
    """PostgreSQL's text form of an array of ``values`` (``None`` is NULL)."""
    return "{" + ",".join(_element(v) for v in values) + "}"


def _element(value: Element) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        raise TypeError("booleans are not array elements here")
    if isinstance(value, int):
        return str(value)
    text = value.isoformat() if isinstance(value, dt.date) else value
    if text and text.upper() != "NULL" and _SPECIAL.isdisjoint(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
