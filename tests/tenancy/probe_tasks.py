"""Tasks for tests/tenancy/test_context.py, loaded by its worker only
(``--include``): each writes, as JSON, the trust it ran in as the task saw
it (the context variable), as the database saw it (``app.trust_id``), and
which trusts' org units a raw query could read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import connection

from config.celery import app
from tenancy.context import current_trust_id
from tenancy.services import for_each_trust


def _seen() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.trust_id', true)")
        row = cursor.fetchone()
        setting = row[0] if row else None
        cursor.execute("SELECT DISTINCT trust_id FROM staff_orgunit ORDER BY trust_id")
        units = [row[0] for row in cursor.fetchall()]
    return {"context": current_trust_id(), "setting": setting, "units": units}


@app.task(name="tests.tenancy.probe_trust")
def probe_trust(path: str) -> None:
    Path(path).write_text(json.dumps(_seen()))


@app.task(name="tests.tenancy.probe_each_trust")
def probe_each_trust(path: str) -> None:
    """A beat-style sweep: sent outside any trust, it goes through each."""
    before = _seen()
    each = for_each_trust(_seen)
    Path(path).write_text(json.dumps({"before": before, "each": each, "after": _seen()}))
