"""The invariant, enforced by the database itself.

A case is in ``formal`` only with a recorded panel decision of
``formal_investigation`` (its latest) and an approving sign-off of that
decision by someone other than the referring manager. Neither the admin nor
a raw ORM or SQL update can get round it. Panel decisions and sign-offs are
append-only so the evidence cannot be removed afterwards, and a case that
reached a terminal stage stays there.
"""

from django.db import migrations

MESSAGE = (
    "a case enters formal only with a panel decision of formal_investigation "
    "and an approving sign-off by someone other than the referring manager"
)

# The latest decision on NEW's case proposes formal investigation, and an
# approving sign-off of that decision by someone else than the referrer exists.
EVIDENCE = """
EXISTS (
    SELECT 1 FROM workflow_signoff s
    JOIN panels_paneldecision d ON d.id = s.decision_id
    WHERE s.case_id = NEW.id AND d.case_id = NEW.id
      AND d.outcome = 'formal_investigation'
      AND s.approved
      AND s.signed_by_id <> NEW.referring_manager_id
      AND d.id = (SELECT d2.id FROM panels_paneldecision d2 WHERE d2.case_id = NEW.id
                  ORDER BY d2.decided_at DESC, d2.id DESC LIMIT 1)
)
"""

POSTGRES_FORWARD = f"""
CREATE OR REPLACE FUNCTION ftp_case_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.stage IN ('formal', 'closed') AND NEW.stage <> OLD.stage THEN
        RAISE EXCEPTION 'case % is % and cannot change stage', OLD.reference, OLD.stage
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.stage = 'formal' AND NOT {EVIDENCE} THEN
        RAISE EXCEPTION 'case %: {MESSAGE}', NEW.reference USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER workflow_case_guard BEFORE INSERT OR UPDATE ON workflow_case
    FOR EACH ROW EXECUTE FUNCTION ftp_case_guard();

CREATE OR REPLACE FUNCTION ftp_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: its rows cannot be changed or deleted', TG_TABLE_NAME
        USING ERRCODE = 'check_violation';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER panels_paneldecision_append_only BEFORE UPDATE OR DELETE ON panels_paneldecision
    FOR EACH ROW EXECUTE FUNCTION ftp_append_only();
CREATE TRIGGER workflow_signoff_append_only BEFORE UPDATE OR DELETE ON workflow_signoff
    FOR EACH ROW EXECUTE FUNCTION ftp_append_only();
"""

POSTGRES_REVERSE = """
DROP TRIGGER IF EXISTS workflow_signoff_append_only ON workflow_signoff;
DROP TRIGGER IF EXISTS panels_paneldecision_append_only ON panels_paneldecision;
DROP FUNCTION IF EXISTS ftp_append_only();
DROP TRIGGER IF EXISTS workflow_case_guard ON workflow_case;
DROP FUNCTION IF EXISTS ftp_case_guard();
"""

SQLITE_FORWARD = [
    f"""CREATE TRIGGER workflow_case_guard_insert BEFORE INSERT ON workflow_case
        WHEN NEW.stage = 'formal' AND NOT {EVIDENCE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER workflow_case_guard_update BEFORE UPDATE ON workflow_case
        WHEN NEW.stage = 'formal' AND NOT {EVIDENCE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    """CREATE TRIGGER workflow_case_terminal BEFORE UPDATE OF stage ON workflow_case
        WHEN OLD.stage IN ('formal', 'closed') AND NEW.stage <> OLD.stage
        BEGIN SELECT RAISE(ABORT, 'a case in a terminal stage cannot change stage'); END""",
]
for table in ("panels_paneldecision", "workflow_signoff"):
    for op in ("UPDATE", "DELETE"):
        SQLITE_FORWARD.append(
            f"""CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"""
        )

SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS workflow_case_guard_insert",
    "DROP TRIGGER IF EXISTS workflow_case_guard_update",
    "DROP TRIGGER IF EXISTS workflow_case_terminal",
] + [
    f"DROP TRIGGER IF EXISTS {t}_no_{op}"
    for t in ("panels_paneldecision", "workflow_signoff")
    for op in ("update", "delete")
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
        ("workflow", "0001_initial"),
        ("panels", "0002_initial"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
