"""Row-level security for a trust's tables, as migration operations.

``trust_isolation(table)`` gives the table its policy: a row is seen, changed
or written only while the session's ``app.trust_id`` names its trust, and the
``trust_id`` column defaults to that setting (so rows inserted outside the ORM,
viewflow's among them, land in the current trust). The table is ENABLEd but
not FORCEd: its owner, the migration role, is not subject to the policy;
the application's role, which owns nothing, always is. PostgreSQL only: on
SQLite (the local demo) the operation does nothing. ADR 0020.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

CURRENT = "nullif(current_setting('app.trust_id', true), '')::bigint"
POLICY = "trust_isolation"


def policy_sql(table: str) -> str:
    return (
        f'ALTER TABLE "{table}" ALTER COLUMN trust_id SET DEFAULT {CURRENT}; '
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY; '
        f'DROP POLICY IF EXISTS {POLICY} ON "{table}"; '
        f'CREATE POLICY {POLICY} ON "{table}" '
        f"USING (trust_id = {CURRENT}) WITH CHECK (trust_id = {CURRENT})"
    )


def policy_drop_sql(table: str) -> str:
    return (
        f'DROP POLICY IF EXISTS {POLICY} ON "{table}"; '
        f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY; '
        f'ALTER TABLE "{table}" ALTER COLUMN trust_id DROP DEFAULT'
    )


class _TableOperation(migrations.operations.base.Operation):
    """A PostgreSQL-only operation on one table that changes no model state."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, table: str) -> None:
        self.table = table

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__name__, [self.table], {})


class TrustIsolation(_TableOperation):
    """Give ``table`` (which has a ``trust_id`` column) the trust policy."""

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(policy_sql(self.table))

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(policy_drop_sql(self.table))

    def describe(self) -> str:
        return f"Row-level security by trust on {self.table}"


class TrustColumnAdded(_TableOperation):
    """Give a table we do not model (viewflow's process and task, an automatic
    many-to-many table) a ``trust_id`` column and the trust policy.

    The ORM never names the column, so the database default (the session's
    trust) fills it. Existing rows, in a deployment that ran before trusts,
    take the trust entered by ``tenancy/migrations/0002``. PostgreSQL only."""

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        from .context import current_trust_id

        table = self.table
        schema_editor.execute(
            f'ALTER TABLE "{table}" ADD COLUMN trust_id bigint REFERENCES tenancy_trust (id)'
        )
        upgrade = current_trust_id()
        if upgrade is not None:
            # The table name is the migration's own constant, never input.
            schema_editor.execute(f'UPDATE "{table}" SET trust_id = %s', [upgrade])  # noqa: S608
        schema_editor.execute(f'ALTER TABLE "{table}" ALTER COLUMN trust_id SET NOT NULL')
        schema_editor.execute(f'CREATE INDEX "{table}_trust" ON "{table}" (trust_id)')
        schema_editor.execute(policy_sql(table))

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(policy_drop_sql(self.table))
            schema_editor.execute(f'ALTER TABLE "{self.table}" DROP COLUMN trust_id')

    def describe(self) -> str:
        return f"Trust column and row-level security on {self.table}"
