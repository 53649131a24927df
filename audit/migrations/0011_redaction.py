"""A destroyed case file's events may be redacted, once, in place (ADR 0019).

The append-only trigger now allows a second kind of UPDATE besides chaining
a pending event (0009): on a chained event of a case marked destroyed,
``reason`` emptied, ``payload`` set to ``{"redacted": true}`` and
``redacted_at`` set from null, every other column as it was. Every other
UPDATE, every DELETE and TRUNCATE are still refused. Whether a redaction was
authorised is the verifier's to check (``audit.redaction``): a later
``case_destroyed`` event, signed with the audit key, must list it.

Adding a nullable column is done in place on SQLite too, so its triggers
survive; they are replaced below to allow the redaction.
"""

from django.db import migrations, models

_PG_REDACTION = """
        IF OLD.seq IS NOT NULL AND OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL
           AND NEW.reason = '' AND NEW.payload = '{"redacted": true}'::jsonb
           AND (to_jsonb(NEW) - 'reason' - 'payload' - 'redacted_at')
               = (to_jsonb(OLD) - 'reason' - 'payload' - 'redacted_at')
           AND EXISTS (SELECT 1 FROM workflow_case c
                       WHERE c.id = NEW.case_id AND c.destroyed_at IS NOT NULL) THEN
            RETURN NEW;
        END IF;"""

_PG_CHAINING = """
        IF OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.key_id IS NOT NULL
           AND (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash' - 'key_id')
               = (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash' - 'key_id') THEN
            RETURN NEW;
        END IF;"""


def _pg_function(*allowed: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION ftp_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN{"".join(allowed)}
    END IF;
    RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'check_violation';
END
$$ LANGUAGE plpgsql;
"""


def _same(*columns: str) -> str:
    return " AND ".join(f"NEW.{column} IS OLD.{column}" for column in columns)


_CHAINING_SQLITE = (
    "(OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.key_id IS NOT NULL AND "
    + _same(
        "id", "case_id", "actor_id", "at", "action", "from_stage", "to_stage", "reason", "payload"
    )
    + ")"
)
_REDACTION_SQLITE = (
    "(OLD.seq IS NOT NULL AND OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL"
    " AND NEW.reason = '' AND json(NEW.payload) = json('{\"redacted\": true}') AND "
    + _same(
        "id",
        "seq",
        "prev_hash",
        "hash",
        "key_id",
        "case_id",
        "actor_id",
        "at",
        "action",
        "from_stage",
        "to_stage",
    )
    + " AND EXISTS (SELECT 1 FROM workflow_case c"
    " WHERE c.id = NEW.case_id AND c.destroyed_at IS NOT NULL))"
)


def _sqlite_update_trigger(*allowed: str) -> list[str]:
    return [
        "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
        f"""CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
            WHEN NOT ({" OR ".join(allowed)})
            BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END""",
    ]


FORWARD = {
    "postgresql": [_pg_function(_PG_CHAINING, _PG_REDACTION)],
    "sqlite": _sqlite_update_trigger(_CHAINING_SQLITE, _REDACTION_SQLITE),
}
REVERSE = {
    "postgresql": [_pg_function(_PG_CHAINING)],
    "sqlite": _sqlite_update_trigger(_CHAINING_SQLITE),
}


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise RuntimeError(f"No audit triggers written for {vendor}.")
        with schema_editor.connection.cursor() as cursor:
            for sql in statements_by_vendor[vendor]:
                # No parameters: plpgsql's own % placeholders must reach the server as-is.
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0010_search_indexes"),
        ("workflow", "0007_case_tombstone_columns"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="redacted_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(_run(FORWARD), _run(REVERSE)),
    ]
