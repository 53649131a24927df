"""The application's database role: what it may do, granted by the owner.

Production runs with two roles (ADR 0020, docs/tenancy.md): migrations run as
the owner of the tables (``DATABASE_MIGRATE_URL``), which row-level security
does not bind; the application connects as a role that owns nothing and has
no BYPASSRLS (``DATABASE_URL``). After migrating, the owner grants the
application role reading and writing rows on every table and using every
sequence: nothing more (no TRUNCATE, which row-level security does not
cover; no DDL).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections


def app_role_create(connection: Any, role: str) -> None:
    """Create ``role`` as the application's login if the server has none by
    that name: it owns nothing, is no superuser and has no BYPASSRLS. Run as
    a role allowed to create roles (the tests' and benchmarks' ``postgres``;
    in production an administrator does this once, docs/tenancy.md)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            DO $$
            BEGIN
                CREATE ROLE {connection.ops.quote_name(role)}
                    LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
            EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
            END
            $$
            """
        )


def app_role_grant(connection: Any, role: str, *, truncate: bool = False) -> None:
    """Grant ``role`` the rows of each table in the schema it cannot read yet
    (PostgreSQL): the tables a migration just made. A table it can read
    already keeps the grants it has, so narrower grants a deployment set on
    one (the audit log's, README "Audit log") survive the next ``migrate``."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    quoted = quote(role)
    rights = "SELECT, INSERT, UPDATE, DELETE" + (", TRUNCATE" if truncate else "")
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {quoted}")
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
            " AND NOT has_table_privilege(%s, c.oid, 'SELECT')",
            [role],
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f"GRANT {rights} ON {quote(table)} TO {quoted}")
        cursor.execute(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {quoted}")


@contextmanager
def owner_connection(alias: str = "default") -> Iterator[Any]:
    """The ``alias`` connection logged in as the tables' owner for the block.

    The owner's login is ``DATABASE_MIGRATE_URL`` (``settings.DATABASE_MIGRATE``);
    without one the application's own login is the owner too (the local
    demo, a deployment not yet split into two roles) and nothing changes.
    The connection is closed before and after, so the block must not be inside
    a transaction of that connection."""
    owner = settings.DATABASE_MIGRATE
    connection = connections[alias]
    if not owner or alias != "default":
        yield connection
        return
    keys = ("USER", "PASSWORD", "HOST", "PORT", "NAME")
    before = {k: connection.settings_dict.get(k) for k in keys}
    connection.close()
    connection.settings_dict.update({k: owner.get(k, before[k]) for k in keys if k != "NAME"})
    try:
        yield connection
    finally:
        connection.close()
        connection.settings_dict.update(before)
