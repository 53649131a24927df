"""A ``case_destroyed`` event, the signed listing of what a destruction
redacted, may never be redacted itself (ADR 0019).

0011 let any chained event of a destroyed case be redacted once, the listing
included; the verifier then reported the redacted listing (the events it had
listed were left unvouched for), but the database should refuse what no
code path does. Everything else 0011 allows and refuses stays as it was.
"""

import importlib

from django.db import migrations

_0011 = importlib.import_module("audit.migrations.0011_redaction")

_NOT_THE_LISTING_PG = "\n           AND OLD.action <> 'case_destroyed'"
_PG_REDACTION = _0011._PG_REDACTION.replace(
    "AND OLD.redacted_at IS NULL", "AND OLD.redacted_at IS NULL" + _NOT_THE_LISTING_PG, 1
)
_REDACTION_SQLITE = _0011._REDACTION_SQLITE.replace(
    "AND OLD.redacted_at IS NULL",
    "AND OLD.redacted_at IS NULL AND OLD.action <> 'case_destroyed'",
    1,
)
if _PG_REDACTION == _0011._PG_REDACTION or _REDACTION_SQLITE == _0011._REDACTION_SQLITE:
    raise RuntimeError("0011's redaction clause changed: rewrite 0012 to match it.")

FORWARD = {
    "postgresql": [_0011._pg_function(_0011._PG_CHAINING, _PG_REDACTION)],
    "sqlite": _0011._sqlite_update_trigger(_0011._CHAINING_SQLITE, _REDACTION_SQLITE),
}


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0011_redaction"),
    ]

    operations = [migrations.RunPython(_0011._run(FORWARD), _0011._run(_0011.FORWARD))]
