"""The employee's voice (voice/): told of the referral, their accounts, and
the single-use links. Row-level security by trust on all three; the told
records and the accounts are append-only (the triggers refuse an UPDATE, and
a DELETE unless the case file was destroyed under the retention schedule)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import tenancy.context
import tenancy.rls

_KEPT = ("voice_employeetold", "voice_employeeaccount")
_DESTROYED = "SELECT 1 FROM workflow_case c WHERE c.id = OLD.case_id AND c.destroyed_at IS NOT NULL"


def _pg(table):
    return f"""
CREATE OR REPLACE FUNCTION ftp_{table}_kept() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS ({_DESTROYED}) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{table} is append-only: % refused', TG_OP
        USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {table}_kept BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION ftp_{table}_kept();
"""


def _pg_reverse(table):
    return f"""
DROP TRIGGER IF EXISTS {table}_kept ON {table};
DROP FUNCTION IF EXISTS ftp_{table}_kept();
"""


def _sqlite(table):
    return [
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"WHEN NOT EXISTS ({_DESTROYED}) "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
    ]


def _sqlite_reverse(table):
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"DROP TRIGGER IF EXISTS {table}_no_delete",
    ]


def _run(make, reverse=False):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in ("postgresql", "sqlite"):
            raise RuntimeError(f"No append-only triggers written for {vendor}.")
        with schema_editor.connection.cursor() as cursor:
            for table in _KEPT:
                statements = make[vendor](table)
                # No parameters: plpgsql's own % placeholders must reach the server as-is.
                for sql in [statements] if isinstance(statements, str) else statements:
                    cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("casefile", "0002_case_notes"),
        ("tenancy", "0004_voice_wellbeing_formal_policy"),
        ("workflow", "0014_wellbeing_contact_formal_steps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token_hash", models.CharField(max_length=64, unique=True)),
                ("issued_at", models.DateTimeField()),
                ("expires_at", models.DateTimeField()),
                ("emailed", models.BooleanField(default=False)),
                ("used_at", models.DateTimeField(blank=True, null=True)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                (
                    "revoked_why",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("replaced", "A newer link was issued"),
                            ("withdrawn", "Withdrawn by HR"),
                        ],
                        max_length=12,
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="account_links",
                        to="workflow.case",
                    ),
                ),
                (
                    "issued_by",
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
                "ordering": ["-issued_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="EmployeeAccount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("meeting", "Typed by HR from a meeting"),
                            ("upload", "Uploaded by HR"),
                            ("link", "The employee, by their link"),
                        ],
                        max_length=8,
                    ),
                ),
                ("text", models.TextField(blank=True)),
                ("meeting_on", models.DateField(blank=True, null=True)),
                ("recorded_at", models.DateTimeField()),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="accounts",
                        to="workflow.case",
                    ),
                ),
                (
                    "document",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="casefile.document",
                    ),
                ),
                (
                    "link",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="voice.accountlink",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
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
                "ordering": ["-recorded_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="EmployeeTold",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("told_on", models.DateField()),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("in_person", "In person"),
                            ("phone", "By phone"),
                            ("letter", "By letter"),
                            ("email", "By email"),
                            ("video", "By video call"),
                        ],
                        max_length=12,
                    ),
                ),
                ("recorded_at", models.DateTimeField()),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="told",
                        to="workflow.case",
                    ),
                ),
                (
                    "recorded_by",
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
                "ordering": ["-recorded_at", "-id"],
            },
        ),
        migrations.AddIndex(
            model_name="accountlink",
            index=models.Index(fields=["case", "-issued_at", "-id"], name="voice_link_case"),
        ),
        migrations.AddIndex(
            model_name="employeeaccount",
            index=models.Index(fields=["case", "-recorded_at", "-id"], name="voice_account_case"),
        ),
        migrations.AddConstraint(
            model_name="employeeaccount",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("text", ""), _negated=True),
                    ("document__isnull", False),
                    _connector="OR",
                ),
                name="voice_account_has_content",
            ),
        ),
        migrations.AddIndex(
            model_name="employeetold",
            index=models.Index(fields=["case", "-recorded_at", "-id"], name="voice_told_case"),
        ),
        tenancy.rls.TrustIsolation("voice_employeetold"),
        tenancy.rls.TrustIsolation("voice_accountlink"),
        tenancy.rls.TrustIsolation("voice_employeeaccount"),
        migrations.RunPython(
            _run({"postgresql": _pg, "sqlite": _sqlite}),
            _run({"postgresql": _pg_reverse, "sqlite": _sqlite_reverse}),
        ),
    ]
