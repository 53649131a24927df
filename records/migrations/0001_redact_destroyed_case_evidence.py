"""The append-only evidence of a destroyed case file may have its free text
redacted, once, and nothing else (records.retention, ADR 0019).

Panel decisions and sign-offs (workflow 0002) and declarations and views
(panels 0004) refuse every UPDATE and DELETE, so that the record which let a
case into ``formal`` cannot be taken away. Destroying a case file under the
retention schedule must remove the personal free text those rows hold (a
decision's rationale and agreed actions, a sign-off's reason, a conflict's
reason, a member's comment) while the rows themselves, and so the database
invariant of ADR 0003, stay. The triggers now allow exactly that: an UPDATE
that sets those columns to ``REDACTED`` and changes no other column, on a row
whose case is marked destroyed. DELETE is still refused.
"""

from django.db import migrations

REDACTED = "[destroyed]"

_CASE_OF_MEMBERSHIP = (
    "SELECT c.destroyed_at IS NOT NULL FROM panels_panelmembership m"
    " JOIN panels_panel p ON p.id = m.panel_id JOIN workflow_case c ON c.id = p.case_id"
    " WHERE m.id = {new}.membership_id"
)
_CASE_OF_ROW = "SELECT c.destroyed_at IS NOT NULL FROM workflow_case c WHERE c.id = {new}.case_id"

# table -> (columns that may be redacted, the other columns, whether its case is destroyed)
TABLES = {
    "panels_paneldecision": (
        ("rationale", "agreed_actions"),
        (
            "id",
            "case_id",
            "panel_id",
            "outcome",
            "just_culture_outcome",
            "guide_alignment",
            "decided_by_id",
            "decided_at",
        ),
        _CASE_OF_ROW,
    ),
    "workflow_signoff": (
        ("reason",),
        ("id", "case_id", "decision_id", "approved", "signed_by_id", "signed_at"),
        _CASE_OF_ROW,
    ),
    "panels_declaration": (
        ("reason",),
        ("id", "membership_id", "no_conflict", "declared_at"),
        _CASE_OF_MEMBERSHIP,
    ),
    "panels_panelview": (
        ("comment",),
        ("id", "membership_id", "round", "outcome", "recorded_at"),
        _CASE_OF_MEMBERSHIP,
    ),
}

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION ftp_append_only_redactable() RETURNS trigger AS $$
DECLARE
    redactable text[] := string_to_array(TG_ARGV[0], ',');
    col text;
    destroyed boolean;
BEGIN
    IF TG_OP = 'UPDATE' AND (to_jsonb(NEW) - redactable) = (to_jsonb(OLD) - redactable) THEN
        FOREACH col IN ARRAY redactable LOOP
            IF (to_jsonb(NEW) -> col) IS DISTINCT FROM (to_jsonb(OLD) -> col)
               AND (to_jsonb(NEW) ->> col) IS DISTINCT FROM '{REDACTED}' THEN
                RAISE EXCEPTION '%: % may only be redacted', TG_TABLE_NAME, col
                    USING ERRCODE = 'check_violation';
            END IF;
        END LOOP;
        EXECUTE TG_ARGV[1] INTO destroyed USING NEW;
        IF destroyed THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION '% is append-only: its rows cannot be changed or deleted', TG_TABLE_NAME
        USING ERRCODE = 'check_violation';
END
$$ LANGUAGE plpgsql;
"""


def _postgres_forward() -> list[str]:
    statements = [POSTGRES_FUNCTION]
    for table, (redactable, _, destroyed) in TABLES.items():
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION ftp_append_only_redactable(
                    '{",".join(redactable)}', '{destroyed.format(new="($1)")}')""",
        ]
    return statements


def _postgres_reverse() -> list[str]:
    statements = []
    for table in TABLES:
        statements += [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION ftp_append_only()""",
        ]
    return [*statements, "DROP FUNCTION IF EXISTS ftp_append_only_redactable()"]


def _sqlite_update(table: str, *, redactable: bool) -> list[str]:
    drop = f"DROP TRIGGER IF EXISTS {table}_no_update"
    if not redactable:
        return [
            drop,
            f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
        ]
    columns, others, destroyed = TABLES[table]
    allowed = " AND ".join(
        [f"NEW.{c} IS OLD.{c}" for c in others]
        + [f"(NEW.{c} IS OLD.{c} OR NEW.{c} = '{REDACTED}')" for c in columns]
        + [f"({destroyed.format(new='NEW')})"]
    )
    return [
        drop,
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            WHEN NOT ({allowed})
            BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END""",
    ]


FORWARD = {
    "postgresql": _postgres_forward(),
    "sqlite": [s for t in TABLES for s in _sqlite_update(t, redactable=True)],
}
REVERSE = {
    "postgresql": _postgres_reverse(),
    "sqlite": [s for t in TABLES for s in _sqlite_update(t, redactable=False)],
}


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise RuntimeError(f"No append-only triggers written for {vendor}.")
        with schema_editor.connection.cursor() as cursor:
            for sql in statements_by_vendor[vendor]:
                # No parameters: plpgsql's own % placeholders must reach the server as-is.
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("panels", "0005_my_panels_index"),
        ("workflow", "0007_case_tombstone_columns"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(REVERSE))]
