"""Cases that reached ``formal`` before the formal process was tracked here
(ADR 0030) are finished as far as this product knows: their process ran
outside it. Their conclusion is set to their commission, so that they are
not "under way" (``Case.under_way``: no wellbeing check-ins or suspension
reviews are asked of them) and their retention clock runs from the date it
always did (``records.retention``). Cases that enter ``formal`` from now on
open a process (``formal.services.formal_open``) and conclude with it.
"""

from django.db import migrations
from django.db.models import F


def conclude_untracked(apps, schema_editor):
    Case = apps.get_model("workflow", "Case")
    FormalProcess = apps.get_model("formal", "FormalProcess")
    tracked = FormalProcess.objects.values("case_id")
    Case.objects.filter(
        stage="formal", formal_concluded_at__isnull=True, formal_commissioned_at__isnull=False
    ).exclude(pk__in=tracked).update(formal_concluded_at=F("formal_commissioned_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("formal", "0001_formal_process"),
        ("workflow", "0014_wellbeing_contact_formal_steps"),
    ]

    operations = [migrations.RunPython(conclude_untracked, migrations.RunPython.noop)]
