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
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.apps import apps
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases
from django.urls import reverse
from django.utils import timezone
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from accounts.roles import Role
from accounts.types import Actor
from audit.services import audit_record
from core.working_days import add_working_days
from formal.models import FormalProcess
from notifications.models import Delivery, Notification, ScheduledNotice
from notifications.services.deadlines import notice_dates
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
from tenancy.policy import trust_policy
from voice.models import EmployeeAccount
from voice.services import account_record
from wellbeing.models import CheckInSchedule
from workflow.deadlines import due_on_for
from workflow.flows import STAGE_OF_NODE, ReferralFlow
from workflow.models import Case, CaseStep, JustCultureAssessment, ReferenceCounter, SignOff
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

    from config.celery import app

    db = settings.DATABASES["default"]
    db["TEST"]["NAME"] = db["NAME"] + "_bench"
    # The send tasks the services queue are really published (their cost is
    # part of an action's), but to a queue of the benchmark's own, emptied
    # at the end: no worker ever sends the scratch database's notifications.
    app.conf.task_default_queue = BENCH_QUEUE
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        run()
    finally:
        teardown_databases(old, verbosity=0)
        with app.connection_for_write() as conn:
            channel: Any = conn.default_channel
            channel.queue_purge(BENCH_QUEUE)


BENCH_QUEUE = "ftp-bench"


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


# --- 1. the formal path: the services against the bare ORM ---------------------------

T = TypeVar("T")
Runner = Callable[[str, Callable[[], T]], T]


def plain(name: str, step: Callable[[], T]) -> T:
    return step()


def service_path(cast: Cast, run: Runner[Any] = plain) -> None:
    """One case down the full formal path, through the services, step by step."""
    panel = cast.panel
    case = run("submit", lambda: submit(cast))
    run(
        "triage",
        lambda: case_triage(
            case_id=case.pk, actor=cast.hr, route="panel", reason="Pattern of concerns."
        ),
    )
    run(
        "convene",
        lambda: panel_convene(
            case_id=case.pk, actor=cast.hr, members=[p.pk for p in panel], chair=panel[0].pk
        ),
    )
    run(
        "account",
        lambda: account_record(
            case_id=case.pk,
            actor=cast.hr,
            source="meeting",
            text="My own account of the shift.",
            meeting_on=timezone.localdate(),
        ),
    )
    for p in panel:
        run("declare", partial(panel_declare, case_id=case.pk, actor=p, no_conflict=True))
    for p in panel:
        run(
            "view",
            partial(
                panel_view_record,
                case_id=case.pk,
                actor=p,
                outcome="formal_investigation",
                comment="x",
            ),
        )
    run(
        "decide",
        lambda: panel_decision_record(
            case_id=case.pk,
            actor=panel[0],
            outcome="formal_investigation",
            rationale="Serious allegation that needs investigating.",
        ),
    )
    run(
        "signoff",
        lambda: case_signoff(
            case_id=case.pk,
            actor=cast.director,
            approve=True,
            reason="Proportionate to the concern.",
        ),
    )


class Bare:
    """The same logical rows as the services write, with the bare ORM: one
    transaction per action, bulk inserts wherever rows are known together,
    no reads but the reference counter, no checks, no broker.

    Every action: its case row, its viewflow task rows (the completed task,
    the gateway and the next task, and their links), its step spell and
    scheduled notices, its notifications and deliveries, its panel rows and
    its audit event. The audit event goes through ``audit_record``, the one
    way to append to the keyed chain, on both sides. ``check_same_rows``
    proves the two write the same number of rows to every table.
    """

    def __init__(self, cast: Cast) -> None:
        self.cast = cast
        self.now = timezone.now()

    def path(self, run: Runner[Any] = plain) -> None:
        case, task = run("submit", self.submit)
        task = run("triage", lambda: self.triage(case, task))
        task, seats = run("convene", lambda: self.convene(case, task))
        run("account", lambda: self.account(case))
        for seat in seats:
            run("declare", partial(self.record, case, seat, Declaration, "declare"))
        for seat in seats:
            run("view", partial(self.record, case, seat, PanelView, "record_view"))
        task = run("decide", lambda: self.decide(case, task, seats[0].panel))
        run("signoff", lambda: self.signoff(case, task))

    # -- one transaction per action ------------------------------------------------

    @transaction.atomic
    def submit(self) -> tuple[Case, Task]:
        cast, now = self.cast, timezone.now()
        process = Process.objects.create(flow_class=ReferralFlow)
        # The year's counter exists: the services' first case made it.
        counter = ReferenceCounter.objects.filter(year=now.year)
        counter.update(last=F("last") + 1)
        last = counter.values_list("last", flat=True).get()
        case = Case.objects.create(
            process=process,
            reference=f"B-{now.year}-{last:05d}",
            referring_manager=cast.manager,
            employee=cast.employee,
            employee_staff_number="E1",
            employee_name="Emp",
            employee_job_title="Nurse",
            employee_band="5",
            employee_org_unit=cast.dept,
            employee_ethnic_category="N",
            concern_category="conduct",
            summary=SUMMARY,
            incident_date=cast.incident,
            submitted_at=now,
            updated_at=now,
        )
        JustCultureAssessment.objects.create(case=case)
        start = Task(process=process, flow_task=_node("start"), status=STATUS.DONE)
        start.flow_task_type, start.started, start.finished = "START", now, now
        start.save()
        [task] = self._next(process, start, [(_node("triage"), STATUS.NEW, None)])
        self._spell(case, "triage", now, close=False)
        self._tell(case, "submitted", [cast.hr], now)
        self._audit(case, cast.manager, "submit", "", "submitted")
        return case, task

    @transaction.atomic
    def triage(self, case: Case, task: Task) -> Task:
        cast, now = self.cast, timezone.now()
        self._done(task, cast.hr, now)
        _gate, convene = self._next(
            case.process,
            task,
            [(_node("route_triage"), STATUS.DONE, None), (_node("convene"), STATUS.NEW, None)],
        )
        self._case(
            case,
            now,
            stage="panel",
            triage_route="panel",
            triage_reason="x",
            owner=cast.hr,
            wellbeing_contact=cast.hr,
        )
        policy = trust_policy()
        CheckInSchedule.objects.create(
            case=case,
            due_on=add_working_days(
                timezone.localdate(now),
                policy.wellbeing_checkin_working_days,
                policy.bank_holiday_region,
            ),
        )
        self._spell(case, "convene", now)
        self._tell(case, "case_moved", [cast.manager], now)
        self._audit(case, cast.hr, "triage", "submitted", "panel")
        return convene

    @transaction.atomic
    def convene(self, case: Case, task: Task) -> tuple[Task, list[PanelMembership]]:
        cast, now = self.cast, timezone.now()
        panel = Panel.objects.create(
            case=case, chair=cast.panel[0], convened_by=cast.hr, convened_at=now
        )
        seats = PanelMembership.objects.bulk_create(
            PanelMembership(panel=panel, user=u) for u in cast.panel
        )
        self._done(task, cast.hr, now)
        [decide] = self._next(
            case.process, task, [(_node("decide"), STATUS.ASSIGNED, cast.panel[0])]
        )
        self._case(case, now)
        self._spell(case, "decide", now)
        self._tell(case, "case_moved", [cast.manager], now, also=("panel_convened", cast.panel))
        self._audit(case, cast.hr, "convene_panel", "panel", "panel")
        return decide, seats

    @transaction.atomic
    def record(self, case: Case, seat: PanelMembership, model: type[Any], action: str) -> None:
        now = timezone.now()
        if model is Declaration:
            Declaration.objects.create(membership=seat, no_conflict=True, declared_at=now)
        else:
            PanelView.objects.create(
                membership=seat,
                round=0,
                outcome="formal_investigation",
                comment="x",
                recorded_at=now,
            )
        self._case(case, now)
        self._audit(case, seat.user, action, "panel", "panel")

    @transaction.atomic
    def account(self, case: Case) -> None:
        cast, now = self.cast, timezone.now()
        EmployeeAccount.objects.create(
            case=case,
            source="meeting",
            text="My own account of the shift.",
            meeting_on=timezone.localdate(),
            recorded_by=cast.hr,
            recorded_at=now,
        )
        self._case(case, now)
        self._audit(case, cast.hr, "record_account", "panel", "panel")

    @transaction.atomic
    def decide(self, case: Case, task: Task, panel: Panel) -> Task:
        cast, now = self.cast, timezone.now()
        self.decision = PanelDecision.objects.create(
            case=case,
            panel=panel,
            outcome="formal_investigation",
            rationale="x",
            decided_by=cast.panel[0],
            decided_at=now,
        )
        self._done(task, cast.panel[0], now)
        _gate, signoff = self._next(
            case.process,
            task,
            [(_node("route_decision"), STATUS.DONE, None), (_node("signoff"), STATUS.NEW, None)],
        )
        self._case(case, now, stage="signoff", outcome="formal_investigation")
        self._spell(case, "signoff", now)
        self._tell(
            case, "case_moved", [cast.manager], now, also=("signoff_waiting", [cast.director])
        )
        self._audit(case, cast.panel[0], "decide", "panel", "signoff")
        return signoff

    @transaction.atomic
    def signoff(self, case: Case, task: Task) -> None:
        cast, now = self.cast, timezone.now()
        SignOff.objects.create(
            case=case, decision=self.decision, approved=True, signed_by=cast.director, signed_at=now
        )
        self._done(task, cast.director, now)
        self._next(
            case.process,
            task,
            [(_node("route_signoff"), STATUS.DONE, None), (_node("formal"), STATUS.DONE, None)],
        )
        Process.objects.filter(pk=case.process_id).update(status=STATUS.DONE, finished=now)
        self._case(case, now, stage="formal", formal_commissioned_at=now)
        FormalProcess.objects.create(case=case, opened_at=now)
        self._spell(case, "investigate", now)
        self._tell(case, "case_moved", [cast.manager], now)
        self._audit(case, cast.director, "signoff", "signoff", "formal")

    # -- the rows each action writes ------------------------------------------------

    def _done(self, task: Task, actor: Actor, now: dt.datetime) -> None:
        Task.objects.filter(pk=task.pk).update(
            status=STATUS.DONE, owner=actor, started=now, finished=now
        )

    def _next(
        self, process: Process, prev: Task, nodes: list[tuple[Any, str, Actor | None]]
    ) -> list[Task]:
        """The tasks the flow opens after ``prev``, each linked to the one before."""
        now = timezone.now()
        tasks = []
        for node, status, owner in nodes:
            task = Task(process=process, flow_task=node, status=status, owner=owner)
            task.flow_task_type = node.task_type
            task.finished = now if status == STATUS.DONE else None
            tasks.append(task)
        Task.objects.bulk_create(tasks)
        Task.previous.through.objects.bulk_create(
            Task.previous.through(from_task=before, to_task=after)
            for before, after in zip([prev, *tasks], tasks, strict=False)
        )
        return tasks

    def _case(self, case: Case, now: dt.datetime, **changes: Any) -> None:
        Case.objects.filter(pk=case.pk).update(version=F("version") + 1, updated_at=now, **changes)
        case.version += 1

    def _spell(self, case: Case, step: str | None, now: dt.datetime, *, close: bool = True) -> None:
        """Close the open step spell and its notices; open the next, with its notices."""
        if close:
            CaseStep.objects.filter(case=case, left_at__isnull=True).update(left_at=now)
            ScheduledNotice.objects.filter(step__case=case).delete()
        if step is None:
            return
        due = due_on_for(step, now)
        spell = CaseStep.objects.create(
            case=case,
            step=step,
            stage=STAGE_OF_NODE.get(step, "formal"),  # the formal process's steps
            entered_at=now,
            due_on=due,
        )
        if due is not None:
            dates = notice_dates(entered_on=timezone.localdate(now), due_on=due)
            ScheduledNotice.objects.bulk_create(
                ScheduledNotice(step=spell, kind=k, fire_on=d) for k, d in dates.items()
            )

    def _tell(
        self,
        case: Case,
        kind: str,
        people: list[Actor],
        now: dt.datetime,
        also: tuple[str, list[Actor]] | None = None,
    ) -> None:
        told = [(kind, people), *([also] if also else [])]
        notes = Notification.objects.bulk_create(
            Notification(
                event_key=f"{k}:{case.pk}:v{case.version}",
                recipient=u,
                kind=k,
                case=case,
                created_at=now,
            )
            for k, users in told
            for u in users
        )
        Delivery.objects.bulk_create(
            Delivery(
                notification=n,
                channel="inapp",
                next_try_at=now,
                created_at=now,
            )
            for n in notes
        )

    def _audit(self, case: Case, actor: Actor, action: str, before: str, after: str) -> None:
        audit_record(case=case, actor=actor, action=action, from_stage=before, to_stage=after)


def _node(name: str) -> Any:
    return ReferralFlow.instance.node(name)


STEPS = ("submit", "triage", "convene", "account", "declare", "view", "decide", "signoff")


class Meter:
    """Per step: the time of each run (summed over a step's repeats in one
    path, e.g. three declarations) and, when ``capture``, every statement."""

    def __init__(self, *, capture: bool) -> None:
        self.capture = capture
        self.times: dict[str, float] = defaultdict(float)
        self.sql: dict[str, list[str]] = defaultdict(list)

    def __call__(self, name: str, step: Callable[[], T]) -> T:
        if not self.capture:
            began = time.perf_counter()
            result = step()
            self.times[name] += time.perf_counter() - began
            return result
        with CaptureQueriesContext(connection) as ctx:
            result = step()
        self.sql[name] += [q["sql"] for q in ctx.captured_queries]
        return result

    @property
    def total(self) -> float:
        return sum(self.times.values())

    def queries(self, name: str | None = None) -> int:
        return sum(len(v) for k, v in self.sql.items() if name in (None, k))


_TABLE = re.compile(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


def source(sql: str) -> str:
    """What a statement is about: its first table, or what it does."""
    if sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO")):
        return "(savepoints)"
    if sql.startswith(("BEGIN", "COMMIT", "ROLLBACK")):
        return "(begin, commit)"
    if "advisory" in sql:
        return "(audit chain lock)"
    found = _TABLE.search(sql)
    return found.group(1) if found else "(other)"


def row_counts() -> Counter[str]:
    return Counter(
        {
            m._meta.db_table: m._default_manager.count()
            for m in apps.get_models(include_auto_created=True)
        }
    )


def check_same_rows(cast: Cast) -> list[str]:
    """The rows one case writes, table by table, through the services and bare;
    the tables where they differ."""
    before = row_counts()
    service_path(cast)
    middle = row_counts()
    Bare(cast).path()
    after = row_counts()
    services, bare = middle - before, after - middle
    print("\nRows written for one case (services = bare ORM, table by table):")
    print("  " + ", ".join(f"{t} {n}" for t, n in sorted(services.items())))
    return [
        f"{t}: services {services[t]}, bare {bare[t]}"
        for t in sorted(services | bare)
        if services[t] != bare[t]
    ]


def formal_path(cast: Cast, runs: int = 30) -> bool:
    """1. The services against the bare ORM, per case and per step; True if within 3x."""
    for _ in range(2):  # warm both paths (content types, prepared plans, the broker connection)
        service_path(cast)
        Bare(cast).path()
    differ = check_same_rows(cast)
    svc_q, bare_q = Meter(capture=True), Meter(capture=True)
    service_path(cast, svc_q)
    Bare(cast).path(bare_q)
    svc_runs, bare_runs = [], []
    for _ in range(runs):  # alternating, so drift on a shared machine hits both alike
        meter = Meter(capture=False)
        Bare(cast).path(meter)
        bare_runs.append(meter)
        meter = Meter(capture=False)
        service_path(cast, meter)
        svc_runs.append(meter)

    def median_ms(meters: list[Meter], name: str | None = None) -> float:
        return statistics.median(m.total if name is None else m.times[name] for m in meters) * 1000

    print(f"\nFormal path, per case: services against the bare ORM (median of {runs}, alternating)")
    print(f"  {'step':9s} {'services':>16s} {'bare ORM':>16s}   ratio (time, queries)")
    for name in [*STEPS, None]:
        st, bt = median_ms(svc_runs, name), median_ms(bare_runs, name)
        sq, bq = svc_q.queries(name), bare_q.queries(name)
        print(
            f"  {name or 'whole path':9s} {st:7.1f} ms {sq:4d} q {bt:7.1f} ms {bq:4d} q"
            f"   {st / bt:4.2f}x, {sq / bq:4.2f}x"
        )
    by_table_svc = Counter(source(q) for qs in svc_q.sql.values() for q in qs)
    by_table_bare = Counter(source(q) for qs in bare_q.sql.values() for q in qs)
    print("  Statements by table (services / bare ORM):")
    for table, n in by_table_svc.most_common():
        print(f"    {table:36s} {n:4d} / {by_table_bare[table]:3d}")
    for table in sorted(set(by_table_bare) - set(by_table_svc)):
        print(f"    {table:36s}    0 / {by_table_bare[table]:3d}")
    time_ratio = median_ms(svc_runs) / median_ms(bare_runs)
    query_ratio = svc_q.queries() / bare_q.queries()
    audit = ("audit_auditevent", "(audit chain lock)")
    svc_rest = svc_q.queries() - sum(by_table_svc[t] for t in audit)
    bare_rest = bare_q.queries() - sum(by_table_bare[t] for t in audit)
    print(
        f"  Leaving out the audit chain's statements (the same on both sides): {svc_rest} / "
        f"{bare_rest} queries, {svc_rest / bare_rest:.2f}x"
    )
    ok = time_ratio <= 3 and query_ratio <= 3 and not differ
    for line in differ:
        print(f"  ROWS DIFFER: {line}")
    print(
        f"  {'PASS' if ok else 'FAIL'}: the formal path costs {time_ratio:.2f}x the bare ORM's time"
        f" and {query_ratio:.2f}x its queries (limit 3x each; the services also queue the"
        " send tasks to the broker after each commit, the bare ORM does not)"
    )
    return ok


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
