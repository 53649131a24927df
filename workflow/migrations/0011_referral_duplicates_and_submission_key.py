"""The referral form's duplicate warning and one-time key (docs/referrals.md):
the manager's reason for referring an employee who already has an open
case, and the key that makes a second POST of the same form find the first
one's case instead of making another."""

from django.conf import settings
from django.db import migrations, models

from workflow.migrations._sqlite_triggers import around_rebuild


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0004_trust"),
        ("tenancy", "0003_trust_policy"),
        ("viewflow", "0015_task_scheduled"),
        ("workflow", "0010_early_warning_reads_the_index_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # SQLite rebuilds the table to add a column: its triggers are set aside
    # and put back around the rebuild, as in 0008.
    operations = around_rebuild(
        [
            migrations.AddField(
                model_name="case",
                name="duplicate_reason",
                field=models.TextField(blank=True),
            ),
            migrations.AddField(
                model_name="case",
                name="submission_key",
                field=models.UUIDField(blank=True, editable=False, null=True),
            ),
            migrations.AddConstraint(
                model_name="case",
                constraint=models.UniqueConstraint(
                    condition=models.Q(("submission_key__isnull", False)),
                    fields=("referring_manager", "submission_key"),
                    name="case_submission_key_unique",
                ),
            ),
        ]
    )
