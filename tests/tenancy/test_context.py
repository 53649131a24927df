"""Entering a trust: the context variable and the database setting together,
nested and restored; a connection opened inside a trust starts in it; and
Celery carries the trust to a real worker (tenancy/context.py, tasks.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from staff.models import OrgUnit
from tenancy.context import current_trust_id, trust_entered
from tenancy.models import Trust

from ..notifications.worker import Workers, wait_for

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the setting is PostgreSQL's"
)


def setting() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('app.trust_id', true)")
        row = cursor.fetchone()
    return str(row[0] or "") if row else ""


def where() -> tuple[int | None, str]:
    return current_trust_id(), setting()


@pytest.fixture
def trusts(db: None) -> tuple[Trust, Trust]:
    a, _ = Trust.objects.get_or_create(code="RAL", defaults={"name": "Royal Test Trust"})
    b, _ = Trust.objects.get_or_create(code="RBX", defaults={"name": "Other Test Trust"})
    return a, b


def test_trust_entered_nests_and_restores_both(trusts: tuple[Trust, Trust]) -> None:
    a, b = trusts
    with trust_entered(None):
        assert where() == (None, "")
        with trust_entered(a):
            assert where() == (a.pk, str(a.pk))
            with trust_entered(b):
                assert where() == (b.pk, str(b.pk))
                with trust_entered(b.pk):  # the same trust again: nothing changes
                    assert where() == (b.pk, str(b.pk))
                assert where() == (b.pk, str(b.pk))
                with trust_entered(None):
                    assert where() == (None, "")
                assert where() == (b.pk, str(b.pk))
            assert where() == (a.pk, str(a.pk))
        # Leaving: back to no trust, the setting empty.
        assert where() == (None, "")


def test_leaving_after_an_error_restores_the_trust(trusts: tuple[Trust, Trust]) -> None:
    a, b = trusts
    seen: list[tuple[int | None, str]] = []

    def fails_inside_b() -> None:
        with trust_entered(b):
            seen.append(where())
            raise ZeroDivisionError

    with trust_entered(a):
        with pytest.raises(ZeroDivisionError):
            fails_inside_b()
        assert seen == [(b.pk, str(b.pk))]
        assert where() == (a.pk, str(a.pk))


def test_a_connection_opened_inside_a_trust_starts_in_it(
    transactional_db: None, django_db_serialized_rollback: None
) -> None:
    a, _ = Trust.objects.get_or_create(code="RAL", defaults={"name": "Royal Test Trust"})
    b, _ = Trust.objects.get_or_create(code="RBX", defaults={"name": "Other Test Trust"})
    with trust_entered(None):
        with trust_entered(b):
            connection.close()
            assert connection.connection is None
            assert where() == (b.pk, str(b.pk))  # a new connection, given B
            with trust_entered(a):
                connection.close()
                assert where() == (a.pk, str(a.pk))
            assert where() == (b.pk, str(b.pk))
            connection.close()
        assert connection.connection is None
        # Opened outside any trust: none.
        assert where() == (None, "")


# --- Celery, on a real worker -------------------------------------------------


@pytest.fixture
def worker(
    tmp_path: Path, transactional_db: None, django_db_serialized_rollback: None
) -> Iterator[Any]:
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs the Redis broker (REDIS_URL)")
    app.control.purge()
    pool = Workers(tmp_path, settings.CELERY_BROKER_URL)
    try:
        yield pool.start("probe", "--include=tests.tenancy.probe_tasks")
    finally:
        pool.stop_all()


def _result(path: Path) -> Any:
    wait_for(f"the task to write {path.name}", path.exists, 40)
    return json.loads(path.read_text())


def test_a_task_sent_inside_a_trust_runs_in_it_and_a_sweep_goes_through_each(
    worker: Any, tmp_path: Path
) -> None:
    a, _ = Trust.objects.get_or_create(code="RAL", defaults={"name": "Royal Test Trust"})
    b, _ = Trust.objects.get_or_create(code="RBX", defaults={"name": "Other Test Trust"})
    for trust in (a, b):  # committed: the worker reads them
        with trust_entered(trust):
            OrgUnit.objects.create(code=f"T-{trust.code}", name=f"{trust.code} unit", kind="trust")

    with trust_entered(b):
        app.send_task("tests.tenancy.probe_trust", args=[str(tmp_path / "in_b.json")])
    assert _result(tmp_path / "in_b.json") == {
        "context": b.pk,
        "setting": str(b.pk),
        "units": [b.pk],
    }
    with trust_entered(a):
        app.send_task("tests.tenancy.probe_trust", args=[str(tmp_path / "in_a.json")])
    assert _result(tmp_path / "in_a.json") == {
        "context": a.pk,
        "setting": str(a.pk),
        "units": [a.pk],
    }
    # The worker's next task, sent outside any trust, starts in none: the
    # trust of the task before did not stay behind.
    with trust_entered(None):
        app.send_task("tests.tenancy.probe_trust", args=[str(tmp_path / "none.json")])
        app.send_task("tests.tenancy.probe_each_trust", args=[str(tmp_path / "each.json")])
    assert _result(tmp_path / "none.json") == {"context": None, "setting": "", "units": []}
    nobody: dict[str, Any] = {"context": None, "setting": "", "units": []}
    assert _result(tmp_path / "each.json") == {
        "before": nobody,
        "each": {
            t.code: {"context": t.pk, "setting": str(t.pk), "units": [t.pk]}
            for t in Trust.objects.order_by("pk")
        },
        "after": nobody,
    }
