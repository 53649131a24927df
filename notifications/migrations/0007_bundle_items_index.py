"""Find the bundles of due steps that name a case by an index, not a scan.

Destroying a case file (records.retention) and a subject access pack
(records.subject_access) both ask which ``due_steps`` bundles list a case in
their ``items``. On PostgreSQL that is JSON containment (``items @>
'[{"case": 42}]'``), answered by this partial GIN index over the bundles
alone; SQLite (the local demo) has neither, and reads the bundles
(``notifications.selectors.bundle_ids_naming``).

Built ``CONCURRENTLY`` (so outside a transaction: ``atomic = False``), as the
runbook asks of an index on a large table: notifications keep being written
while it builds (2.9 s for 300,000 bundles beside 724,235 other
notifications, docs/performance.md).
"""

from django.db import migrations

CREATE = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS notification_bundle_items"
    " ON notifications_notification"
    " USING gin (items jsonb_path_ops) WHERE kind = 'due_steps'"
)
DROP = "DROP INDEX CONCURRENTLY IF EXISTS notification_bundle_items"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ("notifications", "0006_retention_due_kind"),
    ]

    operations = [migrations.RunPython(create, drop)]
