"""Declarations and views are append-only, like decisions and sign-offs.

A declaration of no conflict is what let a member see the case, and a view
is what a member thought when the panel decided: a dissent must stay on
record. The services only ever insert these rows; a member who declares a
conflict is stood down by marking their seat, never by deleting anything.
On PostgreSQL this reuses ``ftp_append_only()`` from workflow 0002.
"""

from django.db import migrations

TABLES = ("panels_declaration", "panels_panelview")

POSTGRES_FORWARD = [
    f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION ftp_append_only()"""
    for table in TABLES
]
POSTGRES_REVERSE = [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in TABLES]

SQLITE_FORWARD = [
    f"""CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table}
        BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"""
    for table in TABLES
    for op in ("UPDATE", "DELETE")
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {table}_no_{op}" for table in TABLES for op in ("update", "delete")
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise RuntimeError(f"No append-only triggers written for {vendor}.")
        with schema_editor.connection.cursor() as cursor:
            for sql in statements_by_vendor[vendor]:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("panels", "0003_pool_declarations_views"),
        ("workflow", "0002_invariant_triggers"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
