"""A destroyed case file stays as a tombstone (records.retention): its
employee and incident date may be null, and it keeps its WRES group and whether it carries its
person in the distinct count. The report index carries the two columns the
reports now read, so they stay index-only.

On SQLite, making columns nullable rebuilds the table, which drops the
case's invariant triggers of 0002 and cannot rename the new table while
0003's triggers refer to it: all of them are dropped first and created again
at the end (on PostgreSQL the change is in place and the triggers stay).
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

_INVARIANTS = importlib.import_module("workflow.migrations.0002_invariant_triggers")
_TERMINAL = importlib.import_module("workflow.migrations.0003_terminal_case_evidence")
# The SQLite triggers that name workflow_case: 0002's on the case itself and
# 0003's on decisions and sign-offs (SQLite refuses to rename the rebuilt
# table while a trigger elsewhere refers to it).
_SQLITE_TRIGGERS = [
    sql
    for sql in [*_INVARIANTS.SQLITE_FORWARD, *_TERMINAL.SQLITE_FORWARD]
    if "workflow_case" in sql
]


def _trigger_names():
    return [sql.split("TRIGGER", 1)[1].split()[0] for sql in _SQLITE_TRIGGERS]


def _drop_sqlite_case_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            for name in _trigger_names():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def _create_sqlite_case_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _drop_sqlite_case_triggers(apps, schema_editor)
        with schema_editor.connection.cursor() as cursor:
            for sql in _SQLITE_TRIGGERS:
                cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0003_employee_email_and_sso_identity"),
        ("viewflow", "0015_task_scheduled"),
        ("workflow", "0006_funnel_reads_the_index_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_drop_sqlite_case_triggers, _create_sqlite_case_triggers),
        migrations.RemoveIndex(
            model_name="case",
            name="case_submitted",
        ),
        migrations.AddField(
            model_name="case",
            name="destroyed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="wres_counted",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="case",
            name="wres_group",
            field=models.CharField(
                blank=True,
                choices=[("white", "White"), ("bme", "BME"), ("unknown", "Unknown / not stated")],
                max_length=8,
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="employee",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="staff.employee",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="incident_date",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["submitted_at", "id"],
                include=(
                    "stage",
                    "outcome",
                    "employee_org_unit",
                    "employee_ethnic_category",
                    "triage_route",
                    "informal_resolved",
                    "destroyed_at",
                    "wres_group",
                ),
                name="case_submitted",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(
                    ("destroyed_at__isnull", True), ("stage__in", ["closed", "formal"])
                ),
                fields=["id"],
                name="case_retention",
            ),
        ),
        migrations.RunPython(_create_sqlite_case_triggers, _drop_sqlite_case_triggers),
    ]
