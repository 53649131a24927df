"""Benchmarks: `make bench`. Every figure is a ratio against a baseline measured in the same run.

1. The full formal path (submit -> triage -> convene -> three declarations
   and views -> decide -> sign-off)
   through the services, against the same logical rows written with the bare
   ORM (the price of viewflow, locking, checks and audit).
2. The HR case list and inbox at 100 and 1,000 cases, against the same page
   at 100 cases: queries must not grow, time should grow far less than data.

Runs on the PostgreSQL in DATABASE_URL, in a scratch database it creates
(``<name>_bench``) and drops afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from accounts.types import Actor
from audit.services import audit_record
from panels.models import (
    Declaration,
    Panel,
    PanelDecision,
    PanelMembership,
    PanelView,
    PoolMember,
)
from panels.services import (
    panel_convene,
    panel_decision_record,
    panel_declare,
    panel_view_record,
)
from staff.models import Employee, OrgUnit
from staff.services import user_add
from workflow.flows import ReferralFlow
from workflow.models import Case, JustCultureAssessment, SignOff
from workflow.services import case_signoff, case_triage, referral_submit


def timed(fn: Callable[[], object], repeat: int) -> tuple[float, int]:
    """Median seconds per call and the queries of one call."""
    with CaptureQueriesContext(connection) as ctx:
        fn()
    queries = len(ctx.captured_queries)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), queries


def main() -> None:
    from django.conf import settings

    db = settings.DATABASES["default"]
    db["TEST"]["NAME"] = db["NAME"] + "_bench"
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        run()
    finally:
        teardown_databases(old, verbosity=0)


@dataclass(frozen=True)
class Cast:
    """Who acts in the benchmark, and the employee every case is about."""

    manager: Actor
    hr: Actor
    director: Actor
    panel: list[Actor]
    employee: Employee
    dept: OrgUnit
    incident: dt.date


SUMMARY = "A concern raised about conduct during a busy shift handover."


def run() -> None:
    cast = make_cast()
    formal_path(cast)
    hr_pages(cast)


def make_cast() -> Cast:
    """A trust of three units and a panel that meets the default rules: chairs at
    band 8a, one trained independent member from another ICSU, nobody from the
    employee's department."""

    def user(name: str, role: Role) -> Actor:
        return user_add(username=name, role=role, password="bench-pass-2026", validate=False)

    manager, hr, director = (
        user("m", Role.MANAGER),
        user("h", Role.HR),
        user("d", Role.DECISION_MAKER),
    )
    trust = OrgUnit.objects.create(code="T", name="Trust", kind="trust")
    icsu = OrgUnit.objects.create(code="I", name="ICSU", kind="icsu", parent=trust)
    dept = OrgUnit.objects.create(code="D", name="Dept", kind="department", parent=icsu)
    other = OrgUnit.objects.create(code="D2", name="Dept 2", kind="department", parent=icsu)
    icsu2 = OrgUnit.objects.create(code="I2", name="ICSU 2", kind="icsu", parent=trust)
    outside = OrgUnit.objects.create(code="D3", name="Dept 3", kind="department", parent=icsu2)
    for i, unit in enumerate([other, outside, other]):
        Employee.objects.create(
            staff_number=f"P{i}", name=f"P{i}", job_title="Matron", band="8a", org_unit=unit
        )
    panel = [
        user_add(username=f"p{i}", role=Role.PANEL, staff_number=f"P{i}", validate=False)
        for i in range(3)
    ]
    PoolMember.objects.filter(user=panel[1]).update(
        independent_trained_until=timezone.localdate() + dt.timedelta(days=365)
    )
    employee = Employee.objects.create(
        staff_number="E1",
        name="Emp",
        job_title="Nurse",
        band="5",
        org_unit=dept,
        ethnic_category="N",
    )
    incident = timezone.localdate() - dt.timedelta(days=3)
    return Cast(manager, hr, director, panel, employee, dept, incident)


def submit(cast: Cast) -> Case:
    return referral_submit(
        actor=cast.manager,
        staff_number="E1",
        concern_category="conduct",
        summary=SUMMARY,
        incident_date=cast.incident,
    )


def service_path(cast: Cast) -> None:
    """One case down the full formal path, through the services."""
    panel = cast.panel
    case = submit(cast)
    case_triage(case_id=case.pk, actor=cast.hr, route="panel", reason="Pattern of concerns.")
    panel_convene(case_id=case.pk, actor=cast.hr, members=[p.pk for p in panel], chair=panel[0].pk)
    for p in panel:
        panel_declare(case_id=case.pk, actor=p, no_conflict=True)
        panel_view_record(case_id=case.pk, actor=p, outcome="formal_investigation", comment="x")
    panel_decision_record(
        case_id=case.pk,
        actor=panel[0],
        outcome="formal_investigation",
        rationale="Serious allegation that needs investigating.",
    )
    case_signoff(case_id=case.pk, actor=cast.director, approve=True)


def orm_path(cast: Cast, number: int) -> None:
    """The same rows written directly: process, case, answers, panel, members,
    declarations, views, decision, sign-off, eleven audit events."""
    now = timezone.now()
    panel = cast.panel
    process = ReferralFlow.process_class.objects.create(flow_class=ReferralFlow)
    case = Case.objects.create(
        process=process,
        reference=f"B-{number}",
        referring_manager=cast.manager,
        employee=cast.employee,
        employee_staff_number="E1",
        employee_name="Emp",
        employee_job_title="Nurse",
        employee_org_unit=cast.dept,
        concern_category="conduct",
        summary=SUMMARY,
        incident_date=cast.incident,
        submitted_at=now,
        updated_at=now,
    )
    JustCultureAssessment.objects.create(case=case)
    p = Panel.objects.create(case=case, chair=panel[0], convened_by=cast.hr, convened_at=now)
    seats = PanelMembership.objects.bulk_create(PanelMembership(panel=p, user=u) for u in panel)
    Declaration.objects.bulk_create(
        Declaration(membership=m, no_conflict=True, declared_at=now) for m in seats
    )
    PanelView.objects.bulk_create(
        PanelView(
            membership=m, round=0, outcome="formal_investigation", comment="x", recorded_at=now
        )
        for m in seats
    )
    d = PanelDecision.objects.create(
        case=case,
        panel=p,
        outcome="formal_investigation",
        rationale="x",
        decided_by=panel[0],
        decided_at=now,
    )
    SignOff.objects.create(
        case=case, decision=d, approved=True, signed_by=cast.director, signed_at=now
    )
    Case.objects.filter(pk=case.pk).update(
        stage="formal", outcome="formal_investigation", formal_commissioned_at=now
    )
    for _ in range(11):  # the log is a hash chain: appended one by one, as services do
        audit_record(case=case, actor=cast.hr, action="x", to_stage="formal")


def formal_path(cast: Cast) -> None:
    """1. The services against the bare ORM, per case."""
    counter = iter(range(10**9))
    base_t, base_q = timed(lambda: orm_path(cast, next(counter)), 30)
    svc_t, svc_q = timed(lambda: service_path(cast), 30)
    print("Formal path, per case (median of 30)")
    print(f"  bare ORM baseline : {base_t * 1000:7.1f} ms  {base_q:4d} queries")
    print(
        f"  services + flow   : {svc_t * 1000:7.1f} ms  {svc_q:4d} queries"
        f"   ratio {svc_t / base_t:5.1f}x time, {svc_q / base_q:4.1f}x queries"
    )


def fill_to(cast: Cast, n: int) -> None:
    """Cases up to ``n``: every other one down the formal path, the rest submitted."""
    while Case.objects.count() < n:
        if Case.objects.count() % 2:
            service_path(cast)
        else:
            submit(cast)


def hr_pages(cast: Cast) -> None:
    """2. The HR case list and inbox at 1,000 cases against 100."""
    client = Client()
    client.force_login(cast.hr)
    pages = {"case list": reverse("cases:list"), "inbox": reverse("cases:inbox")}
    results: dict[tuple[str, int], tuple[float, int]] = {}
    for size in (100, 1000):
        fill_to(cast, size)
        for name, url in pages.items():

            def get_page(url: str = url) -> object:
                return client.get(url)

            results[(name, size)] = timed(get_page, 20)
    print("\nHR pages (median of 20), 1,000 cases against 100 cases")
    for name in pages:
        (t1, q1), (t2, q2) = results[(name, 100)], results[(name, 1000)]
        print(
            f"  {name:9s}: {t1 * 1000:6.1f} ms / {q1} q at 100  ->  {t2 * 1000:6.1f} ms / {q2} q"
            f" at 1,000   ratio {t2 / t1:4.2f}x time, queries {'constant' if q1 == q2 else 'GREW'}"
        )


if __name__ == "__main__":
    main()
