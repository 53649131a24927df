"""A deployment that ran before trusts existed becomes one trust.

When users already exist, the trust named by ``FTP_TRUST_CODE`` and
``FTP_TRUST_NAME`` is created and entered for the rest of this ``migrate``:
the migrations that follow give every existing row a ``trust`` column whose
default is the current trust, so those rows become its rows. A new deployment
(no users) gets no trust here: ``add_trust`` adds them. docs/tenancy.md.
"""

from django.conf import settings
from django.db import migrations


def existing_rows_trust(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    if not User.objects.using(schema_editor.connection.alias).exists():
        return
    Trust = apps.get_model("tenancy", "Trust")
    trust, _ = Trust.objects.using(schema_editor.connection.alias).get_or_create(
        code=settings.FTP_TRUST_CODE, defaults={"name": settings.FTP_TRUST_NAME}
    )
    from tenancy import context

    context._current.set(trust.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0001_trusts"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(existing_rows_trust, migrations.RunPython.noop)]
