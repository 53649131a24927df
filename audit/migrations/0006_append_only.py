"""The audit log becomes append-only, and the separate access log goes.

Triggers refuse UPDATE and DELETE on ``audit_auditevent`` (PostgreSQL and
SQLite), so neither the admin, a stray ORM call nor raw SQL by the
application can rewrite history. TRUNCATE is a privilege the application's
role does not hold (README: it needs only INSERT and SELECT here). What is
done around the triggers by a superuser shows in ``verify_audit``.

On SQLite a later migration that rebuilds this table drops the triggers with
it: such a migration must create them again.
"""

from django.db import migrations, models

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION ftp_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'check_violation';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION ftp_audit_append_only();
"""

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS ftp_audit_append_only();
"""

SQLITE_FORWARD = [
    f"""CREATE TRIGGER audit_auditevent_no_{op.lower()} BEFORE {op} ON audit_auditevent
        BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END"""
    for op in ("UPDATE", "DELETE")
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS audit_auditevent_no_{op}" for op in ("update", "delete")]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise RuntimeError(f"No audit triggers written for {vendor}.")
        statements = statements_by_vendor[vendor]
        with schema_editor.connection.cursor() as cursor:
            for sql in [statements] if isinstance(statements, str) else statements:
                # No parameters: plpgsql's own % placeholders must reach the server as-is.
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_chain_existing_events")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(unique=True),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor", "seq"], name="audit_actor_seq"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["action", "seq"], name="audit_action_seq"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["at"], name="audit_at"),
        ),
        migrations.DeleteModel(name="PersonalDataAccess"),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
