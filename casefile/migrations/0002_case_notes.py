"""Case notes (casefile.notes): row-level security by trust, and notes the
database keeps as written.

The trigger refuses every UPDATE of a note, and every DELETE unless the
note's case has been destroyed under the retention schedule
(``records.retention`` sets ``destroyed_at`` first, in the same
transaction, then deletes the case's notes in one statement). A mistake in
a note is put right by a new note that corrects it; nothing in the
application edits or removes one.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import tenancy.context
import tenancy.rls

_PG = """
CREATE OR REPLACE FUNCTION ftp_casefile_note_kept() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (
        SELECT 1 FROM workflow_case c WHERE c.id = OLD.case_id AND c.destroyed_at IS NOT NULL
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'casefile_casenote is append-only: % refused (add a correction)', TG_OP
        USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER casefile_casenote_kept BEFORE UPDATE OR DELETE ON casefile_casenote
    FOR EACH ROW EXECUTE FUNCTION ftp_casefile_note_kept();
"""
_PG_REVERSE = """
DROP TRIGGER IF EXISTS casefile_casenote_kept ON casefile_casenote;
DROP FUNCTION IF EXISTS ftp_casefile_note_kept();
"""
_DESTROYED = "SELECT 1 FROM workflow_case c WHERE c.id = OLD.case_id AND c.destroyed_at IS NOT NULL"
_SQLITE = [
    "CREATE TRIGGER casefile_casenote_no_update BEFORE UPDATE ON casefile_casenote "
    "BEGIN SELECT RAISE(ABORT, 'casefile_casenote is append-only'); END",
    "CREATE TRIGGER casefile_casenote_no_delete BEFORE DELETE ON casefile_casenote "
    f"WHEN NOT EXISTS ({_DESTROYED}) "
    "BEGIN SELECT RAISE(ABORT, 'casefile_casenote is append-only'); END",
]
_SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS casefile_casenote_no_update",
    "DROP TRIGGER IF EXISTS casefile_casenote_no_delete",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise RuntimeError(f"No case note triggers written for {vendor}.")
        statements = statements_by_vendor[vendor]
        with schema_editor.connection.cursor() as cursor:
            for sql in [statements] if isinstance(statements, str) else statements:
                # No parameters: plpgsql's own % placeholders must reach the server as-is.
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("casefile", "0001_documents"),
        ("tenancy", "0003_trust_policy"),
        ("workflow", "0012_case_search_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CaseNote",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("written_at", models.DateTimeField()),
                ("about_date", models.DateField(blank=True, null=True)),
                ("text", models.TextField()),
                (
                    "audience",
                    models.CharField(
                        choices=[
                            ("hr", "HR only"),
                            ("panel", "HR and the panel"),
                            ("case", "Everyone on the case"),
                        ],
                        default="hr",
                        max_length=8,
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=500)),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="notes",
                        to="workflow.case",
                    ),
                ),
                (
                    "corrects",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="correction",
                        to="casefile.casenote",
                    ),
                ),
                (
                    "trust",
                    models.ForeignKey(
                        default=tenancy.context.default_trust_id,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenancy.trust",
                    ),
                ),
            ],
            options={
                "ordering": ["-written_at", "-id"],
                "indexes": [
                    models.Index(fields=["case", "-written_at", "-id"], name="case_note_list")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("text", ""), _negated=True), name="case_note_has_text"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("corrects__isnull", True), ("reason", "")),
                            models.Q(
                                ("corrects__isnull", False),
                                models.Q(("reason", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="case_note_correction_has_reason",
                    ),
                ],
            },
        ),
        tenancy.rls.TrustIsolation("casefile_casenote"),
        migrations.RunPython(
            _run({"postgresql": _PG, "sqlite": _SQLITE}),
            _run({"postgresql": _PG_REVERSE, "sqlite": _SQLITE_REVERSE}),
        ),
    ]
