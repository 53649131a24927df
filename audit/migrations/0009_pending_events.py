"""Events may wait, sealed, for the sequencer: ``seq`` becomes nullable, and
the append-only triggers allow exactly one kind of UPDATE (ADR 0016).

A pending event (``seq`` null) may have ``seq``, ``prev_hash``, ``hash`` and
``key_id`` set, with a ``seq`` and a key, once; every other column must stay
as it was. Any other UPDATE, every DELETE and (PostgreSQL) TRUNCATE are still
refused. On PostgreSQL the check compares the whole row as JSON minus those
four columns, so a column added later is covered without touching this; on
SQLite each column is named (a later column must be added to the list).

On PostgreSQL ``DROP NOT NULL`` only changes the catalogue. On SQLite making
``seq`` nullable rebuilds the table, which drops its triggers: they are
created again after it. Going back refuses while any event is pending
(``manage.py shell -c "from audit.services import audit_sequence; audit_sequence()"``
chains them first).
"""

from django.db import migrations, models

# The refusing function of 0006 (also run by 0008's TRUNCATE trigger), now
# letting a pending row be chained and nothing else.
POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION ftp_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.key_id IS NOT NULL
           AND (to_jsonb(NEW) - 'seq' - 'prev_hash' - 'hash' - 'key_id')
               = (to_jsonb(OLD) - 'seq' - 'prev_hash' - 'hash' - 'key_id') THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'check_violation';
END
$$ LANGUAGE plpgsql;
"""

POSTGRES_REVERSE = """
CREATE OR REPLACE FUNCTION ftp_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'check_violation';
END
$$ LANGUAGE plpgsql;
"""

_UNCHANGED = " AND ".join(
    f"NEW.{column} IS OLD.{column}"
    for column in (
        "id",
        "case_id",
        "actor_id",
        "at",
        "action",
        "from_stage",
        "to_stage",
        "reason",
        "payload",
    )
)
_DROP_SQLITE = [f"DROP TRIGGER IF EXISTS audit_auditevent_no_{op}" for op in ("update", "delete")]
SQLITE_FORWARD = [
    *_DROP_SQLITE,
    f"""CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
        WHEN NOT (OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.key_id IS NOT NULL
                  AND {_UNCHANGED})
        BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END""",
    """CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
        BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END""",
]
SQLITE_REVERSE = [
    *_DROP_SQLITE,
    *[
        f"""CREATE TRIGGER audit_auditevent_no_{op.lower()} BEFORE {op} ON audit_auditevent
            BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END"""
        for op in ("UPDATE", "DELETE")
    ],
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor, [])
        with schema_editor.connection.cursor() as cursor:
            for sql in [statements] if isinstance(statements, str) else statements:
                # No parameters: plpgsql's own % placeholders must reach the server as-is.
                cursor.execute(sql)

    return run


def _back(apps, schema_editor):
    """Going back makes ``seq`` required again: every event must be chained."""
    AuditEvent = apps.get_model("audit", "AuditEvent")
    if AuditEvent.objects.filter(seq__isnull=True).exists():
        raise RuntimeError("Audit events are pending: run audit_sequence() before going back.")
    _run({"postgresql": POSTGRES_REVERSE})(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0008_refuse_truncate")]

    operations = [
        # Going back, this runs last: the rebuild below dropped SQLite's triggers.
        migrations.RunPython(migrations.RunPython.noop, _run({"sqlite": SQLITE_REVERSE})),
        migrations.AlterModelOptions(
            name="auditevent",
            options={"ordering": [models.OrderBy(models.F("seq"), nulls_last=True), "id"]},
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("seq__isnull", True)), fields=["id"], name="audit_pending"
            ),
        ),
        # Last: on SQLite after the rebuild above, which dropped the old triggers.
        # Going back, this runs first and refuses while any event is pending.
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _back,
        ),
    ]
