"""``case_submitted`` also carries the referring manager, so that the early
warning (reports.early_warning) groups its window's submissions by unit,
ethnic group and manager from the index alone, as the funnel does: at 100,000
cases its query read the table and joined each case to its manager's
employee record (docs/performance.md)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0004_trust"),
        ("tenancy", "0003_trust_policy"),
        ("viewflow", "0015_task_scheduled"),
        ("workflow", "0009_trust_first_case_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="case",
            name="case_submitted",
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["trust", "submitted_at", "id"],
                include=(
                    "stage",
                    "outcome",
                    "employee_org_unit",
                    "employee_ethnic_category",
                    "triage_route",
                    "informal_resolved",
                    "destroyed_at",
                    "wres_group",
                    "referring_manager",
                ),
                name="case_submitted",
            ),
        ),
    ]
