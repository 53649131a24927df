"""Benchmark: do writers on different cases still take turns? `python bench/parallel.py`.

Every HR case-page view appends an access event to the audit log, and every
action appends its event, so a log that serialises its appends makes the
whole product take turns (ADR 0016). This measures, with 1 and with 8 OS
processes (each its own database connection), for a fixed time each:

(a) HR opening different case pages (the Django test client: the whole view,
    template and access logging, no HTTP server), requests/s;
(b) actions on disjoint sets of cases: HR returns a case at triage and its
    manager resubmits it, so each case comes back to triage and the run can
    go on for as long as it is timed, actions/s;

and prints each rate and the ratio 8:1 (issue 14 asks for >= 1.5 on both).
``--blocking`` adds the same two runs with the chain lock waited for, as
appends were before ADR 0016, for comparison.

Runs on the PostgreSQL in DATABASE_URL, in a scratch database it creates
(``<name>_parallel``) and drops afterwards. Timings are wall-clock: run it on
a quiet machine. BENCH_SECONDS sets each run's length (6) and BENCH_ROUNDS
how many times 1 and 8 processes alternate (3; the medians are compared).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection, connections
from django.test import Client
from django.test.utils import setup_databases, teardown_databases
from django.urls import reverse
from django.utils import timezone

import audit.sequencing
from accounts.roles import Role
from accounts.types import Actor
from audit.models import AuditEvent
from audit.services import audit_sequence
from audit.verify import verify_log
from staff.models import Employee, OrgUnit
from staff.services import user_add
from tenancy.context import current_trust_id
from workflow.services import case_triage, referral_resubmit, referral_submit

CASES = 200
PROCESSES = 8
SECONDS = float(os.environ.get("BENCH_SECONDS", "6"))
# 1 and 8 processes alternate this many times; the medians are compared, so
# a burst of other work on the machine skews one round, not the result.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
TARGET = 1.5


@dataclass(frozen=True)
class Cast:
    hr: Actor
    managers: list[Actor]  # one per process: each acts only on its own cases
    cases: list[int]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--blocking", action="store_true", help="also time the old, waiting chain lock"
    )
    args = parser.parse_args()
    from django.conf import settings

    db = settings.DATABASES["default"]
    db["TEST"]["NAME"] = db["NAME"] + "_parallel"
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        run(blocking=args.blocking)
    finally:
        connections.close_all()
        teardown_databases(old, verbosity=0)


def run(*, blocking: bool) -> None:
    cast = seed()
    print(
        f"{CASES} cases, {SECONDS:g} s per run, medians of {ROUNDS} rounds, "
        f"on {os.cpu_count()} cores\n"
    )
    print(f"{'':50} {'1 process':>9} {f'{PROCESSES} processes':>13} {'ratio':>7}")
    variants = [False, True] if blocking else [False]
    ratios = []
    for label, work in [
        ("HR case pages (requests/s)", view_pages),
        ("triage return + resubmit (actions/s)", act),
    ]:
        found = medians(cast, work, variants)
        for waits, (one, many) in zip(variants, found, strict=True):
            name = label + (", lock waited for" if waits else "")
            print(f"{name:50} {one:9.1f} {many:13.1f} {many / one:6.2f}x")
        ratios.append(found[0][1] / found[0][0])
    if blocking:
        print("(lock waited for: appends as before ADR 0016, for comparison)")
    check_chain()
    verdict = "pass" if min(ratios) >= TARGET else "FAIL"
    print(f"\n{verdict}: both ratios must be >= {TARGET}")


def medians(cast: Cast, work: Work, variants: list[bool]) -> list[tuple[float, float]]:
    """For each variant (lock tried, or waited for), the median rates of 1
    and of 8 processes over ``ROUNDS`` rounds; within a round every run
    follows the one before, so a drift in the machine's load falls on all."""
    runs: dict[tuple[bool, int], list[float]] = {}
    for _ in range(ROUNDS):
        for blocking in variants:
            for processes in (1, PROCESSES):
                found = rate(cast, work, processes, blocking=blocking)
                runs.setdefault((blocking, processes), []).append(found)
    return [
        (statistics.median(runs[(b, 1)]), statistics.median(runs[(b, PROCESSES)])) for b in variants
    ]


# --- seeding, through the services ------------------------------------------------------


def seed() -> Cast:
    """A trust, an HR adviser, a manager per process and ``CASES`` submitted
    cases, each process's share referred by its own manager."""

    def user(name: str, role: Role) -> Actor:
        return user_add(username=name, role=role, password="bench-pass-2026", validate=False)

    hr = user("hr", Role.HR)
    managers = [user(f"m{i}", Role.MANAGER) for i in range(PROCESSES)]
    trust = OrgUnit.objects.create(code="T", name="Trust", kind="trust")
    icsu = OrgUnit.objects.create(code="I", name="ICSU", kind="icsu", parent=trust)
    dept = OrgUnit.objects.create(code="D", name="Dept", kind="department", parent=icsu)
    Employee.objects.create(
        staff_number="E1", name="Emp", job_title="Nurse", band="5", org_unit=dept,
        ethnic_category="N",
    )  # fmt: skip
    incident = timezone.localdate()
    cases = [
        referral_submit(
            actor=managers[i % PROCESSES],
            staff_number="E1",
            concern_category="conduct",
            summary="A concern raised about conduct during a busy shift handover.",
            incident_date=incident,
        ).pk
        for i in range(CASES)
    ]
    return Cast(hr, managers, cases)


def check_chain() -> None:
    """Everything the runs appended ends up in one chain that verifies."""
    audit_sequence()
    report = verify_log()
    print(f"\naudit log after the runs: {report}")
    if not report.intact or AuditEvent.objects.pending().exists():
        raise SystemExit("the audit chain did not verify")


# --- the timed runs ------------------------------------------------------------------

Work = Callable[[Cast, int, float], int]


def rate(cast: Cast, work: Work, processes: int, *, blocking: bool) -> float:
    """Operations per second of ``processes`` forked workers, each doing
    ``work`` on its own share of the cases for ``SECONDS``."""
    connections.close_all()  # every child opens its own connection
    ctx = multiprocessing.get_context("fork")
    start = ctx.Barrier(processes + 1)
    results = ctx.Queue()
    children = [
        ctx.Process(target=_child, args=(work, cast, n, processes, start, results, blocking))
        for n in range(processes)
    ]
    for child in children:
        child.start()
    start.wait(timeout=120)  # every child has warmed up
    counts = [int(results.get(timeout=SECONDS + 120)) for _ in children]
    for child in children:
        child.join(timeout=60)
    if any(c.exitcode for c in children) or any(c < 0 for c in counts):
        raise SystemExit("a benchmark process failed")
    return sum(counts) / SECONDS


def _child(
    work: Work,
    cast: Cast,
    n: int,
    processes: int,
    start: Barrier,
    results: Any,
    blocking: bool,
) -> None:
    count = -1
    try:
        if blocking:
            audit.sequencing.try_lock_chain = _wait_for_lock
        share = Cast(cast.hr, cast.managers, _share(cast, n, processes))
        work(share, n, 0.0)  # warm up: connection, templates, session
        start.wait(timeout=120)
        count = work(share, n, time.perf_counter() + SECONDS)
    finally:
        results.put(count)
        connections.close_all()


def _share(cast: Cast, n: int, processes: int) -> list[int]:
    """Process ``n``'s cases: those its manager referred (one process alone takes all)."""
    if processes == 1:
        return cast.cases
    return cast.cases[n::PROCESSES]


def _wait_for_lock() -> bool:
    """The chain lock as before ADR 0016: wait for it, held to commit."""
    with connection.cursor() as cursor:
        key = audit.sequencing.chain_lock_key(current_trust_id())
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
    return True


def view_pages(cast: Cast, n: int, until: float) -> int:
    """HR opens the share's case pages in turn until ``until``; how many."""
    client = Client()
    client.force_login(cast.hr)
    done = 0
    while True:
        for case_id in cast.cases:
            response = client.get(reverse("cases:detail", args=[case_id]))
            if response.status_code != 200:
                raise RuntimeError(f"case page answered {response.status_code}")
            done += 1
            if time.perf_counter() >= until:
                return done


def act(cast: Cast, n: int, until: float) -> int:
    """HR returns each case of the share at triage and its manager resubmits
    it (the case is back at triage), until ``until``; how many actions."""
    referred = {c: m for m in cast.managers for c in _referred_by(cast, m)}
    done = 0
    while True:
        for case_id in cast.cases:
            case_triage(case_id=case_id, actor=cast.hr, route="return", reason="More detail.")
            referral_resubmit(case_id=case_id, actor=referred[case_id], note="Added detail.")
            done += 2
            if time.perf_counter() >= until:
                return done


def _referred_by(cast: Cast, manager: Actor) -> list[int]:
    from workflow.models import Case

    return list(
        Case.objects.filter(pk__in=cast.cases, referring_manager=manager).values_list(
            "pk", flat=True
        )
    )


if __name__ == "__main__":
    main()
