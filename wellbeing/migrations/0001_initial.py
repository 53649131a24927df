"""Wellbeing (docs/wellbeing.md): the trust's support services, check-ins
(append-only) and each case's next check-in due (ADR 0028).

Row-level security by trust on every table. The check-in trigger refuses
every UPDATE, and every DELETE unless the check-in's case has been destroyed
under the retention schedule (``records.retention``), as case notes do.
Every trust that exists gets the default support services.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import tenancy.context
import tenancy.rls

_PG = """
CREATE OR REPLACE FUNCTION ftp_wellbeing_checkin_kept() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (
        SELECT 1 FROM workflow_case c WHERE c.id = OLD.case_id AND c.destroyed_at IS NOT NULL
    ) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'wellbeing_checkin is append-only: % refused', TG_OP
        USING ERRCODE = 'check_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER wellbeing_checkin_kept BEFORE UPDATE OR DELETE ON wellbeing_checkin
    FOR EACH ROW EXECUTE FUNCTION ftp_wellbeing_checkin_kept();
"""
_PG_REVERSE = """
DROP TRIGGER IF EXISTS wellbeing_checkin_kept ON wellbeing_checkin;
DROP FUNCTION IF EXISTS ftp_wellbeing_checkin_kept();
"""
_DESTROYED = "SELECT 1 FROM workflow_case c WHERE c.id = OLD.case_id AND c.destroyed_at IS NOT NULL"
_SQLITE = [
    "CREATE TRIGGER wellbeing_checkin_no_update BEFORE UPDATE ON wellbeing_checkin "
    "BEGIN SELECT RAISE(ABORT, 'wellbeing_checkin is append-only'); END",
    "CREATE TRIGGER wellbeing_checkin_no_delete BEFORE DELETE ON wellbeing_checkin "
    f"WHEN NOT EXISTS ({_DESTROYED}) "
    "BEGIN SELECT RAISE(ABORT, 'wellbeing_checkin is append-only'); END",
]
_SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS wellbeing_checkin_no_update",
    "DROP TRIGGER IF EXISTS wellbeing_checkin_no_delete",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements_by_vendor:
            raise RuntimeError(f"No check-in triggers written for {vendor}.")
        statements = statements_by_vendor[vendor]
        with schema_editor.connection.cursor() as cursor:
            for sql in [statements] if isinstance(statements, str) else statements:
                cursor.execute(sql)

    return run


def _seed(apps, schema_editor):
    """The default support services for every trust made before this app."""
    from wellbeing.defaults import SERVICES

    Trust = apps.get_model("tenancy", "Trust")
    SupportService = apps.get_model("wellbeing", "SupportService")
    for trust in Trust.objects.all():
        if not SupportService.objects.filter(trust_id=trust.pk).exists():
            SupportService.objects.bulk_create(
                [SupportService(trust_id=trust.pk, **values) for values in SERVICES]
            )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("tenancy", "0004_voice_wellbeing_formal_policy"),
        ("workflow", "0014_wellbeing_contact_formal_steps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CheckIn",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("held_on", models.DateField()),
                (
                    "how",
                    models.CharField(
                        choices=[
                            ("in_person", "In person"),
                            ("phone", "By phone"),
                            ("video", "By video call"),
                            ("email", "By email"),
                        ],
                        max_length=12,
                    ),
                ),
                ("notes", models.TextField(blank=True)),
                ("declined", models.BooleanField(default=False)),
                ("recorded_at", models.DateTimeField()),
                (
                    "by",
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
                        related_name="checkins",
                        to="workflow.case",
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
                "ordering": ["-held_on", "-id"],
                "indexes": [models.Index(fields=["case", "-held_on", "-id"], name="checkin_list")],
            },
        ),
        migrations.CreateModel(
            name="CheckInSchedule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("due_on", models.DateField()),
                ("told_for", models.DateField(blank=True, null=True)),
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="checkin_schedule",
                        to="workflow.case",
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
                "indexes": [
                    models.Index(
                        condition=models.Q(("told_for__isnull", True)),
                        fields=["due_on"],
                        name="checkin_due_untold",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SupportService",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("occupational_health", "Occupational health"),
                            ("employee_assistance", "Employee assistance programme"),
                            ("ftsu_guardian", "Freedom to Speak Up guardian"),
                            ("staff_network", "Staff network"),
                            ("trade_union", "Trade union"),
                            ("other", "Other support"),
                        ],
                        max_length=24,
                    ),
                ),
                ("name", models.CharField(max_length=120)),
                (
                    "contact",
                    models.CharField(
                        help_text="A phone number or email address, as it should print.",
                        max_length=200,
                    ),
                ),
                ("url", models.URLField(blank=True)),
                ("description", models.CharField(blank=True, max_length=300)),
                (
                    "position",
                    models.PositiveSmallIntegerField(
                        default=0, help_text="Smaller first in the list."
                    ),
                ),
                ("active", models.BooleanField(default=True)),
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
                "ordering": ["position", "id"],
                "indexes": [
                    models.Index(
                        fields=["trust", "active", "position", "id"], name="support_listed"
                    )
                ],
            },
        ),
        tenancy.rls.TrustIsolation("wellbeing_supportservice"),
        tenancy.rls.TrustIsolation("wellbeing_checkin"),
        tenancy.rls.TrustIsolation("wellbeing_checkinschedule"),
        migrations.RunPython(
            _run({"postgresql": _PG, "sqlite": _SQLITE}),
            _run({"postgresql": _PG_REVERSE, "sqlite": _SQLITE_REVERSE}),
        ),
        migrations.RunPython(_seed, migrations.RunPython.noop),
    ]
