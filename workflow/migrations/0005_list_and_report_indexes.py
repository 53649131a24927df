"""Indexes chosen from EXPLAIN (ANALYZE, BUFFERS) at 100,000 cases (docs/performance.md).

``case_submitted``: the case list and the API list are read newest first
(``-submitted_at, -id``) by walking this index backwards, a page at a time,
instead of sorting every visible case; its included columns let the
governance pack read a year of submissions from the index alone.
``casestep_entered``: the pack's time at each stage reads a year's spells
from the index alone instead of scanning every spell.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0002_employee_user"),
        ("viewflow", "0015_task_scheduled"),
        ("workflow", "0004_case_steps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["submitted_at", "id"],
                include=("stage", "outcome", "employee_org_unit", "employee_ethnic_category"),
                name="case_submitted",
            ),
        ),
        migrations.AddIndex(
            model_name="casestep",
            index=models.Index(
                fields=["entered_at"], include=("case", "stage", "left_at"), name="casestep_entered"
            ),
        ),
    ]
