"""The default templates and a letterhead for every trust made before letters.

Runs as the owner (row-level security does not bind it), so each row names
its trust. Later trusts get theirs when made (``letters.seed``). The wording
is the one in ``letters.defaults`` today: a later change of the defaults
does not change a trust's templates.
"""

from typing import Any

from django.db import migrations
from django.utils import timezone

from letters.defaults import SUPPORT_TEXT, TEMPLATES


def seed(apps: Any, schema_editor: Any) -> None:
    trust_model = apps.get_model("tenancy", "Trust")
    template_model = apps.get_model("letters", "LetterTemplate")
    letterhead_model = apps.get_model("letters", "Letterhead")
    now = timezone.now()
    for trust in trust_model.objects.all():
        have = set(template_model.objects.filter(trust=trust).values_list("kind", flat=True))
        for kind, (title, subject, body) in TEMPLATES.items():
            if str(kind) not in have:
                template_model.objects.create(
                    trust=trust,
                    kind=str(kind),
                    title=title,
                    subject=subject,
                    body=body,
                    updated_at=now,
                )
        if not letterhead_model.objects.filter(trust=trust).exists():
            letterhead_model.objects.create(
                trust=trust, display_name=trust.name, support_text=SUPPORT_TEXT
            )


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_letters")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
