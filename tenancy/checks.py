"""A table of a trust's data without its row-level security policy stops start-up.

Run by ``manage.py check --database default`` (``bin/serve`` and the
migrate command run it) and by the tests: on PostgreSQL, every table with a
``trust_id`` column must have row-level security enabled and the trust policy.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, Tags, register
from django.db import connections

from .rls import POLICY

UNPROTECTED_SQL = """
SELECT c.relname
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'trust_id' AND NOT a.attisdropped
WHERE c.relkind = 'r'
  AND (NOT c.relrowsecurity
       OR NOT EXISTS (SELECT 1 FROM pg_policy p
                      WHERE p.polrelid = c.oid AND p.polname = %s))
ORDER BY c.relname
"""


def unprotected_tables(alias: str = "default") -> list[str]:
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(UNPROTECTED_SQL, [POLICY])
        return [row[0] for row in cursor.fetchall()]


@register(Tags.database)
def trust_tables_protected(databases: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    for alias in databases or ():
        for table in unprotected_tables(alias):
            errors.append(
                Error(
                    f"Table {table} holds a trust's rows (trust_id) but has no row-level "
                    "security policy.",
                    hint="Add tenancy.rls.TrustIsolation(table) where the column is added.",
                    id="tenancy.E001",
                )
            )
    return errors
