"""Appends from several processes at once still make one unbroken chain.

Each process has its own database connection, as web and worker processes
do. Two of them chaining at once would read the same last event and fork
the chain (the unique ``seq`` would then refuse one of them); instead the
one that finds the chain lock busy leaves its event pending and the
sequencer chains it after commit (ADR 0016), so by the time every process
has finished, every event is in one chain.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing.synchronize import Barrier

import pytest
from django.db import connections

from audit.models import AuditEvent
from audit.services import audit_record
from audit.verify import verify_log

PROCESSES = 4
EACH = 50


def _append(start: Barrier, count: int) -> None:
    """In a forked child: wait for the others, then append ``count`` events."""
    try:
        start.wait()
        for i in range(count):
            audit_record(
                case=None, actor=None, action="import", payload={"pid": os.getpid(), "i": i}
            )
    except BaseException:
        os._exit(1)
    finally:
        connections.close_all()
    os._exit(0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_200_concurrent_appends_from_several_processes_leave_one_chain() -> None:
    before = AuditEvent.objects.count()
    connections.close_all()  # every child opens its own connection
    ctx = multiprocessing.get_context("fork")
    start = ctx.Barrier(PROCESSES)
    children = [ctx.Process(target=_append, args=(start, EACH)) for _ in range(PROCESSES)]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=120)
    assert [c.exitcode for c in children] == [0] * PROCESSES

    total = before + PROCESSES * EACH
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    pids = AuditEvent.objects.filter(action="import").values_list("payload__pid", flat=True)
    assert set(pids) == {c.pid for c in children}
    report = verify_log()
    assert report.intact, str(report)
    assert report.events == total
