"""Demo data for the local environment: two trusts, each with its staff, a
login for every role and cases at several stages; Northbridge (NB) has about
thirty cases at every stage and with every outcome, Southmere (SM) a dozen.

Only the local configuration may load it (``settings.FTP_DEMO_DATA_ALLOWED``);
test and production settings refuse before anything is written.

Each trust is loaded inside its own context (``trust_entered``), as a
request or a command acts for one trust: its rows are its own. Logins are
global; their roles are memberships of a trust. ``hr2`` is an HR adviser in
both trusts ("shared services"), so choosing a trust can be tried, and
``regional`` is the regional viewer of both trusts' shared figures. On SQLite
the trusts are kept apart by the models' trust filter only, not by a
security boundary (PostgreSQL's row-level security is that: docs/tenancy.md).

Loading twice leaves the same data: trusts, org units, employees and users
are updated or created by their natural keys, and a trust's cases are created
only when its demo managers have no cases yet. Every case is made by the real
services (``referral_submit``, ``case_triage``, ``panel_convene`` ...), so
each has a viewflow process and an audit path like any other case.

Dates: each action runs with the clock moved to a past working day (with
time-machine, a development dependency), in date order across a trust's
cases. Case, process, task, panel, decision, sign-off and audit timestamps
then agree with one another, and reference numbers follow submission order.
Moving them afterwards with a queryset update could not be honest: panel
decisions and sign-offs are append-only in the database. Without
time-machine the cases are created at the current time instead. The actions'
notifications are history too: delivered as of those dates, never queued
to be sent now, and read unless they still ask something of their recipient
(``notifications.services.history_deliveries_settle``).

Nothing here logs or prints an employee's ethnic category.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.roles import Role
from accounts.types import Actor
from core.errors import DomainError
from demo import assurance as assurance_demo
from demo import casefile as casefile_demo
from demo import panels as panel_demo
from demo import speakup as speakup_demo
from notifications.services import deliveries_not_queued, history_deliveries_settle
from regional.services import regional_viewer_grant
from staff.models import Employee, OrgUnit
from staff.services import user_add
from tenancy.context import trust_entered
from tenancy.models import Trust
from tenancy.services import trust_add, trust_policy_change
from workflow.models import Case
from workflow.services import (
    case_record_informal_outcome,
    case_signoff,
    case_triage,
    referral_resubmit,
    referral_submit,
    referral_withdraw,
)

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - a published demo login, local only
SEED = 2026
ADMIN_USERNAME = "admin"
REGIONAL_USERNAME = "regional"


class DemoDataRefused(Exception):
    """These settings do not allow demo data (anything but FTP_ENV=local)."""


# --- reference data ---------------------------------------------------------

Icsus = dict[str, tuple[str, list[tuple[str, str]]]]
# username: (the department they lead, trained independent member, networks)
Pool = dict[str, tuple[str, bool, tuple[str, ...]]]

STAFF_ROLES = [
    ("Staff Nurse", "5"),
    ("Healthcare Assistant", "3"),
    ("Senior Staff Nurse", "6"),
    ("Specialty Registrar", ""),
    ("Ward Clerk", "2"),
    ("Clinical Nurse Specialist", "7"),
    ("Physiotherapist", "6"),
    ("Midwife", "6"),
    ("Porter", "2"),
]
# Compact on purpose: forty lines of names would hide the structure.
FIRST_NAMES = (  # noqa: SIM905
    "Alex Amara Ben Chloe Daniel Efua Fatima George Grace Hannah "
    "Imran Jack Kemi Laura Liam Mei Niamh Oliver Priya Ruth"
).split()
SURNAMES = (  # noqa: SIM905
    "Adeyemi Brennan Campbell Chen Clarke Davies Evans Hussain Kaur Kowalski "
    "Lewis Mensah Murphy Nowak Okafor Patel Rahman Reid Thompson Walsh"
).split()

# Each script lists the actions after submission, as "action:argument"; the
# comment says where the case ends. Together NB's cover every stage and every
# outcome. The first ``open_scripts`` of a trust end at an open stage, so
# they are recent.
SCRIPTS = [
    "",  # submitted
    "",  # submitted
    "triage:return",  # submitted, waiting for the manager to resubmit
    "triage:informal",  # informal
    "triage:informal",
    "triage:informal",
    "triage:panel",  # panel, not yet convened
    "triage:informal informal:unresolved",  # panel, not yet convened
    "triage:panel convene",  # panel, convened
    "triage:informal informal:unresolved convene",  # panel, convened
    "triage:panel convene declare",  # panel, waiting on the members' views
    "triage:panel convene conflict",  # panel, a member stood down: HR to replace them
    "triage:panel convene decide:formal_investigation",  # signoff
    "triage:informal informal:unresolved convene decide:formal_investigation",  # signoff
    "triage:panel convene decide:formal_investigation signoff:approve",  # formal
    "triage:panel convene decide:formal_investigation signoff:approve",  # formal
    "triage:informal informal:unresolved convene decide:formal_investigation signoff:approve",
    # formal after a declined sign-off and a second decision:
    "triage:return resubmit triage:panel convene decide:formal_investigation signoff:decline "
    "decide:formal_investigation signoff:approve",
    "triage:informal informal:resolved",  # closed: resolved_informally
    "triage:informal informal:resolved",
    "triage:return resubmit triage:informal informal:resolved",
    "triage:redirect",  # closed: redirected
    "triage:redirect",
    "withdraw",  # closed: withdrawn before triage
    "triage:informal withdraw",  # closed: withdrawn during informal resolution
    "triage:informal informal:unresolved convene decide:informal_action",
    # closed: sign-off declined, and the panel decided again:
    "triage:panel convene decide:formal_investigation signoff:decline decide:informal_action",
    "triage:informal informal:unresolved convene decide:mediation",
    "triage:panel convene decide:other_policy",
    "triage:informal informal:unresolved convene decide:occupational_health",
    "triage:panel convene decide:external_referral",
    "triage:informal informal:unresolved convene decide:no_further_action",
    "triage:panel convene decide:no_further_action",
    # closed: a member declared a conflict and HR replaced them before the decision:
    "triage:panel convene conflict replace decide:mediation",
]
OPEN_SCRIPTS = 14

# Southmere's dozen: a case at each stage and a few outcomes. Its pool of four
# leaves three members for any case, so nobody is replaced there.
SM_SCRIPTS = [
    "",  # submitted
    "triage:return",  # submitted, waiting for the manager to resubmit
    "triage:informal",  # informal
    "triage:informal",
    "triage:panel",  # panel, not yet convened
    "triage:panel convene",  # panel, convened
    "triage:panel convene decide:formal_investigation",  # signoff
    "triage:panel convene decide:formal_investigation signoff:approve",  # formal
    "triage:informal informal:resolved",  # closed: resolved_informally
    "triage:redirect",  # closed: redirected
    "withdraw",  # closed: withdrawn
    "triage:informal informal:unresolved convene decide:mediation",  # closed: mediation
]
SM_OPEN_SCRIPTS = 7


@dataclass(frozen=True)
class DemoTrust:
    """One demo trust: its organisation, people, pool and case scripts."""

    code: str
    name: str
    icsus: Icsus
    # Staff below each department lead, department by department.
    staff_per_department: list[int]
    # Ethnic categories to deal out, one per employee (never printed).
    ethnic_mix: list[str]
    staff_number_prefix: str
    # Logins given a role in this trust: (username, role, first name, last name).
    users: list[tuple[str, Role, str, str]]
    # Each demo manager refers staff of one ICSU.
    manager_icsu: dict[str, str]
    hr: tuple[str, ...]
    director: str
    pool: Pool
    scripts: list[str]
    open_scripts: int
    seed: int
    # Policy different from the defaults (tenancy.services.trust_policy_change).
    policy: dict[str, Any] = field(default_factory=dict)

    @property
    def employee_count(self) -> int:
        return (
            sum(self.staff_per_department)
            + len(self.icsus)
            + sum(len(departments) for _name, departments in self.icsus.values())
        )


NORTHBRIDGE = DemoTrust(
    code="NB",
    name="Northbridge NHS Foundation Trust (demo)",
    icsus={
        "NB-MED": (
            "Medicine",
            [
                ("NB-MED-ED", "Emergency Department"),
                ("NB-MED-AMU", "Acute Medical Unit"),
                ("NB-MED-COP", "Care of Older People"),
            ],
        ),
        "NB-SUR": (
            "Surgery",
            [
                ("NB-SUR-THE", "Theatres and Anaesthetics"),
                ("NB-SUR-GEN", "General Surgery"),
                ("NB-SUR-ORT", "Trauma and Orthopaedics"),
            ],
        ),
        "NB-WAC": (
            "Women's and Children's",
            [("NB-WAC-MAT", "Maternity"), ("NB-WAC-PAE", "Paediatrics")],
        ),
    },
    # 29 in all, with the 3 ICSU directors and 8 leads making 40 employees.
    staff_per_department=[4, 4, 4, 4, 4, 3, 3, 3],
    # A mix like a London trust's: 21 white (A-C), 16 BME (D-S), 3 not stated or blank.
    ethnic_mix=[*"AAAAAAAAAAAAAABBCCCCC", *"DEFGHHJKLMMNNPRS", "Z", "Z", ""],
    staff_number_prefix="D1",
    users=[
        ("manager1", Role.MANAGER, "Maya", "Marsh"),
        ("manager2", Role.MANAGER, "Omar", "Hale"),
        ("manager3", Role.MANAGER, "Sara", "Quinn"),
        ("hr1", Role.HR, "Hana", "Rowe"),
        ("hr2", Role.HR, "Idris", "Bell"),
        # The HR lead reassigns case owners and covers sudden absences.
        ("hr1", Role.HR_LEAD, "Hana", "Rowe"),
        ("panel1", Role.PANEL, "Priya", "Shah"),
        ("panel2", Role.PANEL, "Paul", "Grant"),
        ("panel3", Role.PANEL, "Pat", "Owusu"),
        ("panel4", Role.PANEL, "Rosa", "Lima"),
        ("panel5", Role.PANEL, "Tom", "Ward"),
        ("director", Role.DECISION_MAKER, "Dina", "Frost"),
        ("governance", Role.GOVERNANCE, "Gill", "Moss"),
        # Freedom to Speak Up (demo/speakup.py): the guardian, and a member of staff.
        ("guardian", Role.FTSU_GUARDIAN, "Grace", "Adeyemi"),
        ("staff1", Role.STAFF, "Sunil", "Patel"),
    ],
    manager_icsu={"manager1": "NB-MED", "manager2": "NB-SUR", "manager3": "NB-WAC"},
    hr=("hr1", "hr2"),
    director="director",
    pool={
        "panel1": ("NB-MED-ED", False, ()),
        "panel2": ("NB-SUR-THE", True, ("race-equality",)),
        "panel3": ("NB-WAC-MAT", True, ("disability", "race-equality")),
        "panel4": ("NB-SUR-GEN", False, ("lgbt",)),
        "panel5": ("NB-MED-COP", True, ()),
    },
    scripts=SCRIPTS,
    open_scripts=OPEN_SCRIPTS,
    seed=SEED,
)

SOUTHMERE = DemoTrust(
    code="SM",
    name="Southmere Community and Mental Health Trust (demo)",
    icsus={
        "SM-COM": (
            "Community Services",
            [("SM-COM-DN", "District Nursing"), ("SM-COM-THR", "Community Therapies")],
        ),
        "SM-MH": (
            "Mental Health",
            [("SM-MH-ADU", "Adult Inpatient Wards"), ("SM-MH-CRI", "Crisis Team")],
        ),
    },
    # 12 in all, with the 2 directors and 4 leads making 18 employees.
    staff_per_department=[3, 3, 3, 3],
    # 11 white (A-C), 6 BME (D-S), 1 not stated.
    ethnic_mix=[*"AAAAAAAABCC", *"HJMNNS", "Z"],
    staff_number_prefix="S2",
    users=[
        ("sm.manager1", Role.MANAGER, "Nia", "Oduya"),
        ("sm.manager2", Role.MANAGER, "Ewan", "Firth"),
        ("sm.hr1", Role.HR, "Lena", "Voss"),
        ("sm.hr1", Role.HR_LEAD, "Lena", "Voss"),
        ("hr2", Role.HR, "Idris", "Bell"),  # shared services: HR in both trusts
        ("sm.panel1", Role.PANEL, "Ada", "Nwosu"),
        ("sm.panel2", Role.PANEL, "Rhys", "Morgan"),
        ("sm.panel3", Role.PANEL, "Zara", "Iqbal"),
        ("sm.panel4", Role.PANEL, "Cal", "Dunn"),
        ("sm.director", Role.DECISION_MAKER, "Bea", "Lowe"),
        ("sm.governance", Role.GOVERNANCE, "Kit", "Amos"),
        ("sm.guardian", Role.FTSU_GUARDIAN, "Femi", "Ola"),
        ("sm.staff1", Role.STAFF, "Jo", "Reid"),
    ],
    manager_icsu={"sm.manager1": "SM-COM", "sm.manager2": "SM-MH"},
    hr=("sm.hr1", "hr2"),
    director="sm.director",
    pool={
        "sm.panel1": ("SM-COM-DN", True, ("race-equality",)),
        "sm.panel2": ("SM-COM-THR", False, ()),
        "sm.panel3": ("SM-MH-ADU", True, ("disability",)),
        "sm.panel4": ("SM-MH-CRI", False, ("lgbt",)),
    },
    scripts=SM_SCRIPTS,
    open_scripts=SM_OPEN_SCRIPTS,
    seed=SEED + 1,
    # Its own reference prefix, so its cases cannot be mistaken for NB's.
    policy={"reference_prefix": "SM"},
)

DEMO_TRUSTS = (NORTHBRIDGE, SOUTHMERE)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    # The codes of the trusts the role is held in (none for a deployment-wide role).
    trusts: tuple[str, ...] = ()


@dataclass
class DemoTrustResult:
    trust: Trust
    org_units: int
    employees: int
    cases_created: int


@dataclass
class DemoResult:
    trusts: list[DemoTrustResult]
    logins: list[DemoLogin]
    backdated: bool


def demo_load(*, today: dt.date | None = None) -> DemoResult:
    """Load (or refresh) both demo trusts; refuses unless demo data is allowed."""
    if not settings.FTP_DEMO_DATA_ALLOWED:
        raise DemoDataRefused(
            "Demo data can only be loaded with FTP_ENV=local (FTP_DEMO_DATA_ALLOWED is false "
            f"for FTP_ENV={settings.FTP_ENV}). Nothing was written."
        )
    results: list[DemoTrustResult] = []
    held: dict[str, list[tuple[str, str]]] = {}
    with transaction.atomic():
        for spec in DEMO_TRUSTS:
            trust = demo_trust_put(spec)
            with trust_entered(trust):
                results.append(_load_trust(spec, trust, today or timezone.localdate()))
            for username, role, _first, _last in spec.users:
                held.setdefault(username, []).append((role.group_name, spec.code))
        logins = [_login(username, roles) for username, roles in held.items()]
        logins.extend(_load_global_users())
    return DemoResult(results, logins, _time_machine() is not None)


def demo_trust_put(spec: DemoTrust) -> Trust:
    """The demo trust ``spec`` describes, made once, sharing with the region."""
    trust = Trust.objects.filter(code=spec.code).first() or _pre_trust_demo(spec)
    if trust is None:
        trust = trust_add(code=spec.code, name=spec.name, shares_with_region=True)
        if spec.policy:
            trust_policy_change(trust, **spec.policy)
    if not trust.shares_with_region or trust.name != spec.name:
        trust.shares_with_region = True
        trust.name = spec.name
        trust.save(update_fields=["shares_with_region", "name"])
    return trust


def _pre_trust_demo(spec: DemoTrust) -> Trust | None:
    """A local database loaded before trusts existed: ``migrate`` made its one
    trust (``FTP_TRUST_CODE``) and gave it every row. When that trust holds
    this demo trust's root org unit, it is this demo trust, renamed below,
    rather than a second copy of the same people."""
    trust = Trust.objects.filter(code=settings.FTP_TRUST_CODE).first()
    if trust is None:
        return None
    with trust_entered(trust):
        ours = OrgUnit.objects.filter(code=spec.code, kind=OrgUnit.Kind.TRUST).exists()
    if not ours:
        return None
    trust.code = spec.code
    trust.save(update_fields=["code"])
    return trust


def _load_trust(spec: DemoTrust, trust: Trust, today: dt.date) -> DemoTrustResult:
    units = _load_org_units(spec)
    employees = _load_employees(spec, units)
    _load_users(spec)
    panel_demo.pool_load(employees, spec.pool)
    created = 0
    if not Case.objects.filter(referring_manager__username__in=spec.manager_icsu).exists():
        created = _load_cases(spec, today, employees)
    if spec.code == NORTHBRIDGE.code:  # the demo's concerns: Northbridge's
        speakup_demo.concerns_load(today=today)
    # Two years of the guardian's log, for the pack's FTSU quarter and trend.
    speakup_demo.ftsu_history_load(today=today, seed=spec.code)
    # Self-assessment and action plans (demo/assurance.py).
    assurance_demo.assurance_load(today=today, hr_username=spec.hr[0], owner_username=spec.director)
    if created:
        _load_case_file(spec, today)
    return DemoTrustResult(trust, len(units), len(employees), created)


def _load_case_file(spec: DemoTrust, today: dt.date) -> None:
    """Documents, notes, a meeting, letters and a manager's cover
    (demo/casefile.py), as HR kept them yesterday afternoon: history, like the
    cases, so their notices are delivered as of then, never sent now."""
    day = today - dt.timedelta(days=1)
    day -= dt.timedelta(days=max(0, day.weekday() - 4))  # a weekend moves to Friday
    moment = dt.datetime.combine(day, dt.time(15), timezone.get_current_timezone())
    backdated = _time_machine() is not None
    # Northbridge's third manager is away this week, covered by its first.
    cover = tuple(spec.manager_icsu) if spec.code == NORTHBRIDGE.code else ()
    with deliveries_not_queued() if backdated else contextlib.nullcontext(), _clock(moment):
        casefile_demo.casefile_load(hr_username=spec.hr[0], managers=cover)
    if backdated:
        # Only what was recorded yesterday afternoon: today's notices (the
        # demo's concerns) were queued and are sent as usual.
        history_deliveries_settle(before=moment + dt.timedelta(hours=1))


def _login(username: str, held: list[tuple[str, str]]) -> DemoLogin:
    """One login's line: its role and the trusts it holds it in (a login
    with different roles in its trusts shows each)."""
    roles = sorted({role for role, _code in held})
    # Each trust once, in the order first held (two roles in one trust are one trust).
    codes = tuple(dict.fromkeys(code for _role, code in held))
    if len(roles) == 1:
        return DemoLogin(username, DEMO_PASSWORD, roles[0], codes)
    label = "; ".join(f"{role} in {', '.join(c for r, c in held if r == role)}" for role in roles)
    return DemoLogin(username, DEMO_PASSWORD, label, codes)


def _load_org_units(spec: DemoTrust) -> dict[str, OrgUnit]:
    def put(code: str, name: str, kind: str, parent: OrgUnit | None) -> OrgUnit:
        unit: OrgUnit = OrgUnit.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": parent}
        )[0]
        units[code] = unit
        return unit

    units: dict[str, OrgUnit] = {}
    root = put(spec.code, spec.name, OrgUnit.Kind.TRUST, None)
    for code, (name, departments) in spec.icsus.items():
        icsu = put(code, name, OrgUnit.Kind.ICSU, root)
        for dep_code, dep_name in departments:
            put(dep_code, dep_name, OrgUnit.Kind.DEPARTMENT, icsu)
    return units


def _load_employees(spec: DemoTrust, units: dict[str, OrgUnit]) -> list[Employee]:
    """Directors of each ICSU, a lead per department, staff reporting to the lead."""
    rng = random.Random(spec.seed)  # noqa: S311 - repeatable demo data, not security
    names = iter(
        rng.sample([f"{f} {s}" for f in FIRST_NAMES for s in SURNAMES], spec.employee_count)
    )
    codes = iter(rng.sample(spec.ethnic_mix, len(spec.ethnic_mix)))
    numbers = (f"{spec.staff_number_prefix}{n:05d}" for n in range(1, 100))
    employees: list[Employee] = []

    def put(unit: OrgUnit, title: str, band: str, manager: Employee | None) -> Employee:
        employee: Employee = Employee.objects.update_or_create(
            staff_number=next(numbers),
            defaults={
                "name": next(names),
                "job_title": title,
                "band": band,
                "org_unit": unit,
                "line_manager": manager,
                "ethnic_category": next(codes),
            },
        )[0]
        employees.append(employee)
        return employee

    sizes = iter(spec.staff_per_department)
    for code, (icsu_name, departments) in spec.icsus.items():
        director = put(units[code], f"Divisional Director, {icsu_name}", "8d", None)
        for dep_code, _name in departments:
            lead = put(units[dep_code], "Matron / Service Lead", "8a", director)
            for i in range(next(sizes)):
                title, band = STAFF_ROLES[(i + len(employees)) % len(STAFF_ROLES)]
                put(units[dep_code], title, band, lead)
    return employees


def _load_users(spec: DemoTrust) -> None:
    """Each login of ``spec`` with its role in the trust being acted for."""
    for username, role, first, last in spec.users:
        user_add(
            username=username,
            role=role,
            password=DEMO_PASSWORD,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.invalid",
            validate=False,
        )


def _load_global_users() -> list[DemoLogin]:
    """The logins that belong to no trust: the regional viewer and the superuser."""
    User = get_user_model()
    viewer, _ = User.objects.get_or_create(username=REGIONAL_USERNAME)
    viewer.first_name, viewer.last_name = "Rita", "Regan"
    viewer.email = f"{REGIONAL_USERNAME}@demo.invalid"
    viewer.set_password(DEMO_PASSWORD)
    viewer.save()
    regional_viewer_grant(user=viewer)
    admin, _ = User.objects.get_or_create(username=ADMIN_USERNAME)
    admin.is_staff = admin.is_superuser = True
    admin.email = "admin@demo.invalid"
    admin.set_password(DEMO_PASSWORD)
    admin.save()
    return [
        DemoLogin(REGIONAL_USERNAME, DEMO_PASSWORD, "Regional viewer (shared figures)"),
        DemoLogin(ADMIN_USERNAME, DEMO_PASSWORD, "Superuser (Django admin)"),
    ]


# --- cases ----------------------------------------------------------------------

SUMMARIES = {
    "conduct": "Raised voice at a colleague during a busy handover; two colleagues reported "
    "feeling intimidated.",
    "clinical_practice": "Medication given forty minutes late on two occasions without "
    "escalating to the nurse in charge.",
    "professional_standards": "Posted comments about the ward on social media that "
    "colleagues found unprofessional.",
    "attendance": "Late for the start of shift six times in four weeks without telling the "
    "rota coordinator.",
    "information_governance": "Opened a relative's patient record without a clinical reason, "
    "found by a routine access audit.",
    "health_and_safety": "Propped open a fire door on the ward again after being reminded "
    "that it must stay closed.",
    "other": "A disagreement over rota swaps escalated into a written complaint from a colleague.",
}
_CLEAR = {"q1a": False, "q2a": False, "q2b": False, "q2c": False}
_FORESEEN = {**_CLEAR, "q3a": True, "q3b": True, "q3c": True}
JUST_CULTURE: list[dict[str, bool]] = [
    {**_FORESEEN, "q4a": False, "q4b": False, "q4c": False, "q5a": False},  # G
    {**_CLEAR, "q3a": True, "q3b": False},  # D: the protocol was not workable
    {**_FORESEEN, "q4a": True},  # E: peers would have done the same
    {**_FORESEEN, "q4a": False, "q4b": False, "q4c": False, "q5a": True},  # F: mitigation
    {**_CLEAR, "q2c": True},  # C: ill health
    {"q1a": False},  # not finished: no letter yet
]
TRIAGE: dict[str, tuple[str, str]] = {  # route: (reason, policy)
    "informal": ("", ""),
    "panel": ("A repeated pattern after informal steps; the panel should review it.", ""),
    "return": ("Please add the dates of each occasion and any witnesses.", ""),
    "redirect": ("This is a capability concern, not conduct.", "capability"),
}
RATIONALES = {
    "formal_investigation": "The allegation is serious, informal steps were tried and "
    "failed, and the facts are disputed: only a formal investigation can establish them.",
    "informal_action": "A letter of concern and a supervision plan address the concern; "
    "nothing suggests formal action would achieve more.",
    "mediation": "The concern arises from a breakdown between two colleagues; facilitated "
    "mediation is the proportionate route.",
    "other_policy": "The concern is about capability rather than conduct, so the capability "
    "policy applies.",
    "occupational_health": "Health factors appear to underlie the concern; refer to "
    "occupational health and review with their advice.",
    "external_referral": "The concern meets the threshold for referral to the professional "
    "regulator; the trust will cooperate with its process.",
    "no_further_action": "The facts do not support the concern once the rota records were "
    "checked; no further action, with system learning shared.",
}
DECLINE_REASON = (
    "The panel has not said why mediation or a letter of concern would not do; please reconsider."
)
APPROVE_REASON = (
    "The panel's rationale shows the concern is serious enough that only a formal "
    "investigation will establish the facts."
)


@dataclass
class _Plan:
    """One demo case: who refers whom, and when each action happens."""

    manager: Actor
    employee: Employee
    concern: str
    just_culture: dict[str, bool]
    incident_days_before: int
    actions: list[str]
    moments: list[dt.datetime]
    case: Case | None = None

    @property
    def submitted(self) -> Case:
        """The case: every step but the first acts on it, once submitted."""
        if self.case is None:
            raise DomainError("A demo step came before its case was submitted.")
        return self.case


@dataclass
class _Cast:
    """The demo users, and the seeded choices of who acts."""

    rng: random.Random
    users: dict[str, Actor]
    spec: DemoTrust

    def hr(self) -> Actor:
        return self.users[self.rng.choice(self.spec.hr)]

    def director(self) -> Actor:
        return self.users[self.spec.director]


def _load_cases(spec: DemoTrust, today: dt.date, employees: list[Employee]) -> int:
    rng = random.Random(spec.seed)  # noqa: S311 - repeatable demo data, not security
    names = [u[0] for u in spec.users]
    users = get_user_model().objects.filter(username__in=names)
    cast = _Cast(rng, {u.username: u for u in users}, spec)
    plans = [_plan(i, script, cast, today, employees) for i, script in enumerate(spec.scripts)]
    # Act in date order across all cases, as the trust would have: reference
    # numbers then follow submission order.
    steps = sorted((m, n, k) for n, p in enumerate(plans) for k, m in enumerate(p.moments))
    # Backdated, the actions' notifications are history: written as delivered
    # on their own dates, never queued for sending now (notifications/services/
    # history.py). Dated today (no time-machine), they are sent as usual.
    started = timezone.now()
    backdated = _time_machine() is not None
    with deliveries_not_queued() if backdated else contextlib.nullcontext():
        for moment, n, k in steps:
            with _clock(moment):
                _act(cast, plans[n], k)
    if backdated:
        history_deliveries_settle(before=started)
    return len(plans)


def _plan(index: int, script: str, cast: _Cast, today: dt.date, employees: list[Employee]) -> _Plan:
    rng = cast.rng
    managers = list(cast.spec.manager_icsu)
    manager = cast.users[managers[index % len(managers)]]
    icsu = cast.spec.manager_icsu[manager.username]
    # Staff and leads of the manager's ICSU (directors sit on the ICSU itself).
    eligible = [e for e in employees if e.org_unit.parent and e.org_unit.parent.code == icsu]
    actions = script.split()
    return _Plan(
        manager=manager,
        employee=rng.choice(eligible),
        concern=rng.choice(list(SUMMARIES)),
        just_culture=rng.choice(JUST_CULTURE),
        incident_days_before=rng.randint(1, 14),
        actions=actions,
        moments=_moments(len(actions) + 1, rng, today, recent=index < cast.spec.open_scripts),
    )


def _moments(count: int, rng: random.Random, today: dt.date, *, recent: bool) -> list[dt.datetime]:
    """Working-hours moments on weekdays, strictly increasing, all before ``today``.

    Open cases start within the last ten weeks; the others within the year.
    """
    gaps = [rng.randint(2, 12) for _ in range(count - 1)]
    earliest = sum(gaps) + 3
    start = rng.randint(earliest, max(earliest, 70 if recent else 360))
    zone = timezone.get_current_timezone()
    moments: list[dt.datetime] = []
    for ago in (start - sum(gaps[:i]) for i in range(count)):
        day = today - dt.timedelta(days=ago)
        day -= dt.timedelta(days=max(0, day.weekday() - 4))  # a weekend moves to Friday
        at = dt.datetime.combine(day, dt.time(9), zone) + dt.timedelta(minutes=rng.randint(0, 480))
        if moments and at <= moments[-1]:
            at = moments[-1] + dt.timedelta(minutes=45)
        moments.append(at)
    return moments


def _act(cast: _Cast, plan: _Plan, k: int) -> None:
    """Step ``k`` of a plan: 0 submits, the others follow its script."""
    action = "submit" if k == 0 else plan.actions[k - 1]
    name, _, arg = action.partition(":")
    try:
        plan.case = STEPS[name](cast, plan, arg)
    except DomainError as exc:
        ref = plan.case.reference if plan.case else "a new case"
        detail = f"{exc.message} {getattr(exc, 'errors', '')}".strip()
        raise DomainError(f"Demo step {action!r} on {ref} was refused: {detail}") from exc


def _submit(cast: _Cast, plan: _Plan, arg: str) -> Case:
    return referral_submit(
        actor=plan.manager,
        staff_number=plan.employee.staff_number,
        concern_category=plan.concern,
        summary=SUMMARIES[plan.concern],
        incident_date=timezone.localdate() - dt.timedelta(days=plan.incident_days_before),
        informal_steps_tried="Spoke with them informally after the incident.",
        just_culture=plan.just_culture,
    )


def _triage(cast: _Cast, plan: _Plan, route: str) -> Case:
    reason, policy = TRIAGE[route]
    return case_triage(
        case_id=plan.submitted.pk, actor=cast.hr(), route=route, reason=reason, policy=policy
    )


def _resubmit(cast: _Cast, plan: _Plan, arg: str) -> Case:
    note = "Added the dates, the witnesses and what was tried."
    return referral_resubmit(case_id=plan.submitted.pk, actor=plan.manager, note=note)


def _informal(cast: _Cast, plan: _Plan, result: str) -> Case:
    resolved = result == "resolved"
    return case_record_informal_outcome(
        case_id=plan.submitted.pk,
        actor=plan.manager,
        resolved=resolved,
        actions="Facilitated conversation with the line manager; agreed a support plan.",
        reason="" if resolved else "The behaviour recurred after the agreed plan.",
    )


def _convene(cast: _Cast, plan: _Plan, arg: str) -> Case:
    return panel_demo.convene(plan.submitted, cast.hr())


def _conflict(cast: _Cast, plan: _Plan, arg: str) -> Case:
    return panel_demo.conflict(plan.submitted)


def _declare(cast: _Cast, plan: _Plan, arg: str) -> Case:
    return panel_demo.declare(plan.submitted)


def _replace(cast: _Cast, plan: _Plan, arg: str) -> Case:
    return panel_demo.replace(plan.submitted, cast.hr())


def _decide(cast: _Cast, plan: _Plan, outcome: str) -> Case:
    return panel_demo.decide(plan.submitted, outcome, RATIONALES[outcome])


def _signoff(cast: _Cast, plan: _Plan, answer: str) -> Case:
    approve = answer == "approve"
    return case_signoff(
        case_id=plan.submitted.pk,
        actor=cast.director(),
        approve=approve,
        reason=APPROVE_REASON if approve else DECLINE_REASON,
    )


def _withdraw(cast: _Cast, plan: _Plan, arg: str) -> Case:
    reason = "Resolved by a conversation between the colleagues."
    return referral_withdraw(case_id=plan.submitted.pk, actor=plan.manager, reason=reason)


STEPS: dict[str, Callable[[_Cast, _Plan, str], Case]] = {
    "submit": _submit,
    "triage": _triage,
    "resubmit": _resubmit,
    "informal": _informal,
    "convene": _convene,
    "conflict": _conflict,
    "declare": _declare,
    "replace": _replace,
    "decide": _decide,
    "signoff": _signoff,
    "withdraw": _withdraw,
}


def _time_machine() -> Any:
    try:
        import time_machine
    except ImportError:  # a development dependency; production never loads demo data
        return None
    return time_machine


@contextlib.contextmanager
def _clock(moment: dt.datetime) -> Iterator[None]:
    """Act as if it were ``moment`` (given in UTC, so time-machine leaves the zone alone)."""
    machine = _time_machine()
    if machine is None:
        yield
        return
    with machine.travel(moment.astimezone(dt.UTC), tick=True):
        yield
