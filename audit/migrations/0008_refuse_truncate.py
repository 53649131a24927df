"""TRUNCATE on the audit log is refused too (PostgreSQL).

``TRUNCATE`` fires no row trigger, so 0006's triggers let it empty the log
in one statement. A statement-level ``BEFORE TRUNCATE`` trigger running the
same refusing function closes that (``TRUNCATE workflow_case CASCADE``
reaches this table and is refused as well). SQLite has no TRUNCATE. As with
the other triggers, a superuser can still go around it
(``session_replication_role = replica``); the anchors (``audit.anchors``)
are what show a log emptied that way.

Django's ``flush`` (used between transactional tests) truncates every table:
``audit/management/commands/flush.py`` lets a superuser do that outside
production.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE TRIGGER audit_auditevent_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION ftp_audit_append_only();
"""

POSTGRES_REVERSE = "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;"


def _run(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0007_chain_key_id")]

    operations = [migrations.RunPython(_run(POSTGRES_FORWARD), _run(POSTGRES_REVERSE))]
