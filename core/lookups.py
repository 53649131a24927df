"""``field__any_of=values``: membership in a list sent as one array parameter.

``field__in=[...]`` writes one placeholder per value. For the thousand ids
of a sweep batch that is a thousand-parameter statement that Django compiles
and psycopg parses again on every call, which cost more than the database's
own work. On PostgreSQL this lookup writes ``field = ANY(%s::type[])`` with
the whole list as one parameter (the same plans: an index serves both);
elsewhere (SQLite, for ``make run``) it falls back to ``IN``. Numbers,
text and dates go as one array literal (``core.pgarray``), which psycopg
passes as a single string rather than adapting element by element.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignObject, Lookup
from django.db.models.lookups import In
from django.db.models.sql.compiler import SQLCompiler

from .pgarray import array_literal


class AnyOf(Lookup[Any]):
    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self) -> Any:
        values: Iterable[Any] = self.rhs
        field = self.lhs.output_field
        return [field.get_prep_value(v) for v in values]

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> Any:
        if connection.vendor != "postgresql":
            return In(self.lhs, self.rhs).as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        # Ids (prepared as ints) need no more: a sweep sends a thousand.
        values = (
            list(self.rhs)
            if all(type(v) is int for v in self.rhs)
            else [field.get_db_prep_value(v, connection, prepared=True) for v in self.rhs]
        )
        # A foreign key's db_type is its target's ("bigint"), an auto field's its column's.
        array_type = field.db_type(connection)
        param = array_literal(values) if all(map(_literal_ok, values)) else values
        return f"{lhs} = ANY(%s::{array_type}[])", [*lhs_params, param]


def _literal_ok(value: Any) -> bool:
    """Whether ``array_literal`` writes ``value`` as PostgreSQL reads it back."""
    return value is None or (
        isinstance(value, int | str | dt.date) and not isinstance(value, bool | dt.datetime)
    )


# Foreign keys keep lookups of their own (``RelatedIn`` and the like): register on both.
Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)
