"""Columns for the hash chain; case becomes optional (imports, exports, checks)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_personal_data_access"),
        ("workflow", "0003_terminal_case_evidence"),
    ]

    operations = [
        migrations.AlterModelOptions(name="auditevent", options={"ordering": ["seq"]}),
        migrations.AlterField(
            model_name="auditevent",
            name="case",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="workflow.case",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="to_stage",
            field=models.CharField(blank=True, max_length=16),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
    ]
