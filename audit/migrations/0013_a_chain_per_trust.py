"""One audit chain per trust, kept apart by row-level security (ADR 0020).

Each event gets the trust it was written for: ``trust_id``, null for the
deployment's own chain (events outside any trust: sign-ins refused, a
break-glass login). ``seq`` becomes unique per chain, every index a page or
the sequencer reads leads with the trust, and the table gets its
``trust_isolation`` policy: a row is seen, changed or written only while the
session's ``app.trust_id`` names its trust, and a row of no trust only while
none is named (``IS NOT DISTINCT FROM``, so the deployment chain is never
read from inside a trust, nor a trust's chain from outside one).

Existing events: the column is added with the current trust as its default,
which ``tenancy`` 0002 enters when upgrading a deployment that has users, so
the one chain there was becomes that trust's chain, unchanged (its links and
hashes do not cover the trust). With no trust entered they stay together as
the deployment chain. On PostgreSQL adding the column changes only the
catalogue (no UPDATE, so the append-only trigger does not fire; its row
comparison now covers ``trust_id`` too, so chaining or redacting an event can
never move it to another chain). On SQLite the table is rebuilt, which drops
its triggers: they are created again at the end, naming ``trust_id`` among
the columns that must not change.

Going back needs one chain at most, since ``seq`` becomes globally unique again.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

import tenancy.context
from tenancy.rls import CURRENT, POLICY

_0011 = importlib.import_module("audit.migrations.0011_redaction")
_0012 = importlib.import_module("audit.migrations.0012_listing_never_redacted")

TABLE = "audit_auditevent"

POLICY_FORWARD = (
    f"ALTER TABLE {TABLE} ALTER COLUMN trust_id SET DEFAULT {CURRENT}; "
    f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY; "
    f"DROP POLICY IF EXISTS {POLICY} ON {TABLE}; "
    f"CREATE POLICY {POLICY} ON {TABLE} "
    f"USING (trust_id IS NOT DISTINCT FROM {CURRENT}) "
    f"WITH CHECK (trust_id IS NOT DISTINCT FROM {CURRENT})"
)
POLICY_REVERSE = (
    f"DROP POLICY IF EXISTS {POLICY} ON {TABLE}; "
    f"ALTER TABLE {TABLE} DISABLE ROW LEVEL SECURITY; "
    f"ALTER TABLE {TABLE} ALTER COLUMN trust_id DROP DEFAULT"
)

# SQLite names the columns that must stay: trust_id joins both lists.
_CHAINING_SQLITE = _0011._CHAINING_SQLITE.replace(
    "NEW.id IS OLD.id", "NEW.id IS OLD.id AND NEW.trust_id IS OLD.trust_id", 1
)
_REDACTION_SQLITE = _0012._REDACTION_SQLITE.replace(
    "NEW.id IS OLD.id", "NEW.id IS OLD.id AND NEW.trust_id IS OLD.trust_id", 1
)
if "trust_id" not in _CHAINING_SQLITE or "trust_id" not in _REDACTION_SQLITE:
    raise RuntimeError("0011/0012's SQLite clauses changed: rewrite 0013 to match them.")
_NO_DELETE_SQLITE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
    """CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
        BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END""",
]
SQLITE_FORWARD = [
    *_0011._sqlite_update_trigger(_CHAINING_SQLITE, _REDACTION_SQLITE),
    *_NO_DELETE_SQLITE,
]
# As 0012 left them (its update trigger and 0009's delete trigger).
SQLITE_REVERSE = [*_0012.FORWARD["sqlite"], *_NO_DELETE_SQLITE]


def _forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POLICY_FORWARD)
    elif vendor == "sqlite":
        _0011._run({"sqlite": SQLITE_FORWARD})(apps, schema_editor)


def _back(apps, schema_editor):
    """Refuse to go back while more than one chain exists: their ``seq`` overlap."""
    AuditEvent = apps.get_model("audit", "AuditEvent")
    chains = AuditEvent._base_manager.values("trust_id").distinct().order_by()
    if chains.count() > 1:
        raise RuntimeError("The audit log holds more than one trust's chain: cannot go back.")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POLICY_REVERSE)


def _sqlite_triggers_back(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        _0011._run({"sqlite": SQLITE_REVERSE})(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0012_listing_never_redacted"),
        ("tenancy", "0002_existing_rows_trust"),
    ]

    operations = [
        # Going back, this runs last: the rebuilds below dropped SQLite's triggers.
        migrations.RunPython(migrations.RunPython.noop, _sqlite_triggers_back),
        migrations.RemoveIndex(model_name="auditevent", name="audit_actor_seq"),
        migrations.RemoveIndex(model_name="auditevent", name="audit_action_seq"),
        migrations.RemoveIndex(model_name="auditevent", name="audit_at"),
        migrations.RemoveIndex(model_name="auditevent", name="audit_pending"),
        migrations.RemoveIndex(model_name="auditevent", name="audit_actor_at"),
        migrations.RemoveIndex(model_name="auditevent", name="audit_action_at"),
        migrations.AddField(
            model_name="auditevent",
            name="trust",
            field=models.ForeignKey(
                blank=True,
                default=tenancy.context.default_trust_id,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="tenancy.trust",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("trust__isnull", False)),
                fields=("trust", "seq"),
                name="audit_trust_seq",
            ),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(("trust__isnull", True)),
                fields=("seq",),
                name="audit_deployment_seq",
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("seq__isnull", True)),
                fields=["trust", "id"],
                name="audit_pending",
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["trust", "actor", "seq"], name="audit_actor_seq"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["trust", "action", "seq"], name="audit_action_seq"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["trust", "at"], name="audit_at"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["trust", "actor", "-at", "-id"], name="audit_actor_at"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["trust", "action", "-at", "-id"], name="audit_action_at"),
        ),
        # Last: on SQLite after the rebuilds above, which dropped the triggers.
        # Going back, this runs first and refuses while two chains exist.
        migrations.RunPython(_forward, _back),
    ]
