"""A case in a terminal stage takes no new panel decision or sign-off.

0002 makes decisions and sign-offs append-only, but appending was still
allowed at any time: a new decision inserted on a ``formal`` case would
quietly stop the decision that let it in from being its latest, so the
invariant would no longer hold for a row the case trigger never re-checks.
The services only ever add these rows at ``panel`` and ``signoff``.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION ftp_evidence_case_open() RETURNS trigger AS $$
DECLARE
    case_stage text;
BEGIN
    -- FOR SHARE: a concurrent change of the case's stage waits for this row's
    -- transaction (and the other way round), so neither can slip past the other.
    SELECT stage INTO case_stage FROM workflow_case WHERE id = NEW.case_id FOR SHARE;
    IF case_stage IN ('formal', 'closed') THEN
        RAISE EXCEPTION '%: case % is % and takes no new rows', TG_TABLE_NAME, NEW.case_id,
            case_stage USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER panels_paneldecision_case_open BEFORE INSERT ON panels_paneldecision
    FOR EACH ROW EXECUTE FUNCTION ftp_evidence_case_open();
CREATE TRIGGER workflow_signoff_case_open BEFORE INSERT ON workflow_signoff
    FOR EACH ROW EXECUTE FUNCTION ftp_evidence_case_open();
"""

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS workflow_signoff_case_open ON workflow_signoff;
DROP TRIGGER IF EXISTS panels_paneldecision_case_open ON panels_paneldecision;
DROP FUNCTION IF EXISTS ftp_evidence_case_open();
"""

SQLITE_FORWARD = [
    f"""CREATE TRIGGER {table}_case_open BEFORE INSERT ON {table}
        WHEN (SELECT stage FROM workflow_case WHERE id = NEW.case_id) IN ('formal', 'closed')
        BEGIN SELECT RAISE(ABORT, 'a case in a terminal stage takes no new {table} rows'); END"""
    for table in ("panels_paneldecision", "workflow_signoff")
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {table}_case_open"
    for table in ("panels_paneldecision", "workflow_signoff")
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise RuntimeError(f"No invariant triggers written for {vendor}.")
        statements = statements_by_vendor[vendor]
        with schema_editor.connection.cursor() as cursor:
            for sql in [statements] if isinstance(statements, str) else statements:
                # No parameters: plpgsql's own % placeholders must reach the server as-is.
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0002_invariant_triggers"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
