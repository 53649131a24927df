"""Each event names the key that signed it (``audit.keyring``).

A nullable column with no default, so no stored row is rewritten: on
PostgreSQL ``ADD COLUMN`` only changes the catalogue (no UPDATE, so the
append-only trigger does not fire), and on SQLite it is a plain ``ALTER
TABLE ... ADD COLUMN`` rather than a rebuild of the table, so the triggers of
0006 survive. Existing rows keep ``key_id`` null: version-1 (unkeyed) events.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_append_only")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(blank=True, max_length=32, null=True),
        ),
    ]
