"""Case documents and their versions (ADR 0024): row-level security by trust,
and versions (and documents) the database keeps as uploaded.

The triggers refuse any UPDATE, and any DELETE unless the row's case has
been destroyed under the retention schedule (``records.retention`` sets
``destroyed_at`` first, in the same transaction, then deletes the case's
documents). Nothing else in the application edits or removes them.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import casefile.models
import tenancy.context
import tenancy.rls

_PG_DOCUMENT = """
CREATE OR REPLACE FUNCTION ftp_casefile_document_kept() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (
        SELECT 1 FROM workflow_case c WHERE c.id = OLD.case_id AND c.destroyed_at IS NOT NULL
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'casefile_document is kept as uploaded: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER casefile_document_kept BEFORE UPDATE OR DELETE ON casefile_document
    FOR EACH ROW EXECUTE FUNCTION ftp_casefile_document_kept();
CREATE OR REPLACE FUNCTION ftp_casefile_version_kept() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (
        SELECT 1 FROM casefile_document d JOIN workflow_case c ON c.id = d.case_id
        WHERE d.id = OLD.document_id AND c.destroyed_at IS NOT NULL
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'casefile_documentversion is kept as uploaded: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER casefile_documentversion_kept BEFORE UPDATE OR DELETE
    ON casefile_documentversion FOR EACH ROW EXECUTE FUNCTION ftp_casefile_version_kept();
"""
_PG_REVERSE = """
DROP TRIGGER IF EXISTS casefile_documentversion_kept ON casefile_documentversion;
DROP FUNCTION IF EXISTS ftp_casefile_version_kept();
DROP TRIGGER IF EXISTS casefile_document_kept ON casefile_document;
DROP FUNCTION IF EXISTS ftp_casefile_document_kept();
"""
_DESTROYED = {
    "document": "SELECT 1 FROM workflow_case c WHERE c.id = OLD.case_id AND c.destroyed_at IS NOT NULL",
    "documentversion": (
        "SELECT 1 FROM casefile_document d JOIN workflow_case c ON c.id = d.case_id"
        " WHERE d.id = OLD.document_id AND c.destroyed_at IS NOT NULL"
    ),
}
_SQLITE = [
    statement
    for table, destroyed in _DESTROYED.items()
    for statement in (
        f"CREATE TRIGGER casefile_{table}_no_update BEFORE UPDATE ON casefile_{table} "
        f"BEGIN SELECT RAISE(ABORT, 'casefile_{table} is kept as uploaded'); END",
        f"CREATE TRIGGER casefile_{table}_no_delete BEFORE DELETE ON casefile_{table} "
        f"WHEN NOT EXISTS ({destroyed}) "
        f"BEGIN SELECT RAISE(ABORT, 'casefile_{table} is kept as uploaded'); END",
    )
]
_SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS casefile_{table}_no_{op}"
    for table in _DESTROYED
    for op in ("update", "delete")
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise RuntimeError(f"No case file triggers written for {vendor}.")
        statements = statements_by_vendor[vendor]
        with schema_editor.connection.cursor() as cursor:
            for sql in [statements] if isinstance(statements, str) else statements:
                # No parameters: plpgsql's own % placeholders must reach the server as-is.
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("tenancy", "0003_trust_policy"),
        ("workflow", "0012_case_search_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Document",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("statement", "Statement"),
                            ("timeline", "Timeline"),
                            ("rota", "Rota"),
                            ("email", "Email"),
                            ("evidence", "Other evidence"),
                            ("minutes", "Meeting minutes"),
                            ("letter", "Letter"),
                            ("other", "Other"),
                        ],
                        max_length=12,
                    ),
                ),
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
                ("created_at", models.DateTimeField()),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="documents",
                        to="workflow.case",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
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
                "ordering": ["-created_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="DocumentVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField()),
                (
                    "file",
                    models.FileField(
                        max_length=200,
                        storage=casefile.models.case_documents_storage,
                        upload_to=casefile.models.version_key,
                    ),
                ),
                ("name", models.CharField(max_length=120)),
                ("content_type", models.CharField(max_length=100)),
                ("size", models.PositiveBigIntegerField()),
                ("sha256", models.CharField(max_length=64)),
                ("uploaded_at", models.DateTimeField()),
                ("note", models.CharField(blank=True, max_length=500)),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="versions",
                        to="casefile.document",
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
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["document", "-number"],
            },
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["case", "-created_at", "-id"], name="document_case_list"),
        ),
        migrations.AddConstraint(
            model_name="documentversion",
            constraint=models.UniqueConstraint(
                fields=("document", "number"), name="document_version_once"
            ),
        ),
        tenancy.rls.TrustIsolation("casefile_document"),
        tenancy.rls.TrustIsolation("casefile_documentversion"),
        migrations.RunPython(
            _run({"postgresql": _PG_DOCUMENT, "sqlite": _SQLITE}),
            _run({"postgresql": _PG_REVERSE, "sqlite": _SQLITE_REVERSE}),
        ),
    ]
