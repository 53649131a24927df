"""Keeping SQLite's triggers through a table rebuild.

SQLite rebuilds a table to add a column with a default, and refuses to rename
the rebuilt table while any trigger (the case invariant's, the append-only
tables', the audit log's) names it. A migration that rebuilds such tables
wraps its operations in ``around_rebuild``: every trigger is dropped first,
as it stands, and created again from the same SQL at the end. PostgreSQL
alters in place and keeps its triggers; there this does nothing.
"""

from django.db import migrations

_saved: list[str] = []


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        rows = cursor.fetchall()
        _saved[:] = [sql for _, sql in rows]
        for name, _ in rows:
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def _create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in _saved:
            cursor.execute(sql)
    _saved.clear()


def around_rebuild(operations):
    """``operations`` with SQLite's triggers dropped before and made again after."""
    return [
        migrations.RunPython(_drop, _create),
        *operations,
        migrations.RunPython(_create, _drop),
    ]
