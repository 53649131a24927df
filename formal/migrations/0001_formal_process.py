"""The formal process (formal/, ADR 0030): row-level security by trust, and
a trigger that refuses a process for a case that is not in stage ``formal``
with its commission (the sign-off's approval) recorded.

The check reuses the case's own invariant (``case_formal_has_commission``):
a case reaches ``formal`` only through an approving sign-off, so a process
can never exist without the panel's decision and the sign-off. PostgreSQL
and SQLite both enforce it, on INSERT and on a change of ``case_id``.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import tenancy.context
import tenancy.rls

_IN_FORMAL = (
    "SELECT 1 FROM workflow_case c WHERE c.id = NEW.case_id"
    " AND c.stage = 'formal' AND c.formal_commissioned_at IS NOT NULL"
)
_PG = f"""
CREATE OR REPLACE FUNCTION ftp_formal_process_in_formal() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS ({_IN_FORMAL}) THEN
        RAISE EXCEPTION 'formal_formalprocess: case % is not in stage formal with a commission',
            NEW.case_id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER formal_formalprocess_in_formal BEFORE INSERT OR UPDATE OF case_id
    ON formal_formalprocess FOR EACH ROW EXECUTE FUNCTION ftp_formal_process_in_formal();
"""
_PG_REVERSE = """
DROP TRIGGER IF EXISTS formal_formalprocess_in_formal ON formal_formalprocess;
DROP FUNCTION IF EXISTS ftp_formal_process_in_formal();
"""
_SQLITE = [
    "CREATE TRIGGER formal_formalprocess_in_formal_insert BEFORE INSERT ON formal_formalprocess "
    f"WHEN NOT EXISTS ({_IN_FORMAL}) "
    "BEGIN SELECT RAISE(ABORT, 'formal_formalprocess: case not in stage formal'); END",
    "CREATE TRIGGER formal_formalprocess_in_formal_update BEFORE UPDATE OF case_id "
    f"ON formal_formalprocess WHEN NOT EXISTS ({_IN_FORMAL}) "
    "BEGIN SELECT RAISE(ABORT, 'formal_formalprocess: case not in stage formal'); END",
]
_SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS formal_formalprocess_in_formal_insert",
    "DROP TRIGGER IF EXISTS formal_formalprocess_in_formal_update",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise RuntimeError(f"No formal process trigger written for {vendor}.")
        statements = statements_by_vendor[vendor]
        with schema_editor.connection.cursor() as cursor:
            for sql in [statements] if isinstance(statements, str) else statements:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("tenancy", "0004_voice_wellbeing_formal_policy"),
        ("workflow", "0014_wellbeing_contact_formal_steps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="FormalProcess",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("opened_at", models.DateTimeField()),
                ("investigator_named_at", models.DateTimeField(blank=True, null=True)),
                (
                    "investigation_outcome",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("no_case", "No case to answer"),
                            ("informal", "Informal action"),
                            ("hearing", "Disciplinary hearing"),
                        ],
                        max_length=16,
                    ),
                ),
                ("outcome_recorded_at", models.DateTimeField(blank=True, null=True)),
                ("outcome_reason", models.TextField(blank=True)),
                ("hearing_on", models.DateTimeField(blank=True, null=True)),
                ("hearing_companion_name", models.CharField(blank=True, max_length=200)),
                ("hearing_held_on", models.DateField(blank=True, null=True)),
                (
                    "sanction",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("none", "No sanction"),
                            ("first_written", "First written warning"),
                            ("final_written", "Final written warning"),
                            ("dismissal", "Dismissal"),
                            ("other", "Other action"),
                        ],
                        max_length=16,
                    ),
                ),
                ("sanction_detail", models.TextField(blank=True)),
                ("sanction_recorded_at", models.DateTimeField(blank=True, null=True)),
                ("appeal_lodged_on", models.DateField(blank=True, null=True)),
                ("appeal_grounds", models.TextField(blank=True)),
                (
                    "appeal_outcome",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("not_upheld", "Not upheld"),
                            ("varied", "Upheld in part: sanction varied"),
                            ("upheld", "Upheld: sanction removed"),
                        ],
                        max_length=16,
                    ),
                ),
                ("appeal_decided_at", models.DateTimeField(blank=True, null=True)),
                ("concluded_at", models.DateTimeField(blank=True, null=True)),
                (
                    "appeal_hearer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="formal_process",
                        to="workflow.case",
                    ),
                ),
                (
                    "hearing_chair",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "investigator",
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
                "verbose_name": "formal process",
                "verbose_name_plural": "formal processes",
                "ordering": ["opened_at", "id"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("concluded_at__isnull", True)),
                        fields=["opened_at"],
                        name="formal_open",
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("sanction", ""), ("investigation_outcome", "hearing"), _connector="OR"
                        ),
                        name="formal_sanction_after_hearing",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("sanction", ""), ("sanction_recorded_at__isnull", True)),
                            models.Q(
                                models.Q(("sanction", ""), _negated=True),
                                ("sanction_recorded_at__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="formal_sanction_recorded_at",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("investigation_outcome", ""), ("outcome_recorded_at__isnull", True)
                            ),
                            models.Q(
                                models.Q(("investigation_outcome", ""), _negated=True),
                                ("outcome_recorded_at__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="formal_outcome_recorded_at",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("appeal_lodged_on__isnull", True),
                            models.Q(
                                models.Q(("sanction", ""), _negated=True),
                                models.Q(("sanction", "none"), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="formal_appeal_after_sanction",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("appeal_decided_at__isnull", True), ("appeal_outcome", "")),
                            models.Q(
                                models.Q(("appeal_outcome", ""), _negated=True),
                                ("appeal_decided_at__isnull", False),
                                ("appeal_lodged_on__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="formal_appeal_outcome_after_lodged",
                    ),
                ],
            },
        ),
        tenancy.rls.TrustIsolation("formal_formalprocess"),
        migrations.RunPython(
            _run({"postgresql": _PG, "sqlite": _SQLITE}),
            _run({"postgresql": _PG_REVERSE, "sqlite": _SQLITE_REVERSE}),
        ),
    ]
