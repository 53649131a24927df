"""The regional benchmark's tables (not a trust's data: no row-level security,
and the trust's key is ``sharing_trust_id``: regional/models.py), and the
deployment-wide "Regional viewer" group holding regional.view_regional_benchmark."""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GROUP = "Regional viewer"
CODENAME = "view_regional_benchmark"


def create_group(apps, schema_editor):
    # Permissions are normally made at post_migrate; make this app's now so
    # the group can hold its permission in this migration.
    app_config = apps.get_app_config("regional")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="regional", codename=CODENAME)
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("tenancy", "0001_trusts"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="TrustBenchmark",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        help_text="WRES year, named by the year it starts in."
                    ),
                ),
                ("funnel_start", models.DateField()),
                ("funnel_end", models.DateField()),
                ("threshold", models.PositiveSmallIntegerField()),
                ("computed_at", models.DateTimeField()),
                (
                    "trust",
                    models.ForeignKey(
                        db_column="sharing_trust_id",
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="tenancy.trust",
                    ),
                ),
            ],
            options={
                "ordering": ["year", "trust"],
                "permissions": [("view_regional_benchmark", "Can view the regional benchmark")],
            },
        ),
        migrations.CreateModel(
            name="BenchmarkFigure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "section",
                    models.CharField(
                        choices=[("indicator3", "WRES indicator 3"), ("funnel", "Referral funnel")],
                        max_length=16,
                    ),
                ),
                ("window", models.PositiveSmallIntegerField()),
                ("group", models.CharField(blank=True, max_length=16)),
                ("measure", models.CharField(max_length=48)),
                ("value", models.FloatField(null=True)),
                ("suppressed", models.BooleanField()),
                (
                    "benchmark",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="figures",
                        to="regional.trustbenchmark",
                    ),
                ),
            ],
            options={
                "ordering": ["benchmark", "section", "window", "group", "measure"],
            },
        ),
        migrations.AddIndex(
            model_name="trustbenchmark",
            index=models.Index(fields=["year"], name="trustbenchmark_year"),
        ),
        migrations.AddConstraint(
            model_name="trustbenchmark",
            constraint=models.UniqueConstraint(
                fields=("trust", "year"), name="trustbenchmark_unique"
            ),
        ),
        migrations.AddConstraint(
            model_name="benchmarkfigure",
            constraint=models.UniqueConstraint(
                fields=("benchmark", "section", "window", "group", "measure"),
                name="benchmarkfigure_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="benchmarkfigure",
            constraint=models.CheckConstraint(
                condition=models.Q(("suppressed", False), ("value__isnull", True), _connector="OR"),
                name="benchmarkfigure_suppressed_has_no_value",
            ),
        ),
        migrations.RunPython(create_group, remove_group),
    ]
