"""My panels' past seats are paged newest first along ``(user, id)``
(docs/performance.md), so a page reads a page of seats, not a member's whole history."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("panels", "0004_append_only_declarations_views"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="panelmembership",
            index=models.Index(fields=["user", "-id"], name="membership_user_recent"),
        ),
    ]
