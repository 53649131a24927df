"""A small fixed world for the permission matrix: one case at each point of the
flow, the people around them, and a distinctive marker string for every piece
of content the access rules guard.

Every case gets its own employee in its own department, and its own summary,
informal steps and members' view comments, so a page about (or a list
including) one case can be checked for another case's content. The panel case
has a mixed panel: the chair and one member cleared (views recorded), one
member who declared a conflict (stood down) and one yet to declare.

Cases are walked through the services, the only way a real case gets anywhere.
What each person is to each case (referrer, cleared member, ...) is written
down here as it is built: the matrix derives its expectations from these
facts and the stated policy, never from the product's rule functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model

from accounts.roles import Role
from panels.services import panel_convene, panel_decision_record, panel_declare, panel_view_record
from staff.ethnicity import EthnicCategory
from staff.models import Employee
from workflow.models import Case
from workflow.services import (
    case_record_informal_outcome,
    case_signoff,
    case_triage,
    referral_submit,
)

from ..factories import (
    EmployeeFactory,
    OrgUnitFactory,
    in_pool,
    make_user,
    org_tree,
    referral_kwargs,
)

# An unusual category, so that its label appears nowhere else in the product.
ETHNIC = EthnicCategory.D
ETHNIC_LABEL = str(EthnicCategory.D.label)  # "Mixed - White and Black Caribbean"
# The API gives the code, not the label: its key with this value is the marker.
ETHNIC_JSON = f'"ethnic_category":"{ETHNIC.value}"'
CONFLICT_REASON = "Qzx conflict: I coached the employee in netball for years"

# The points of the flow the world holds, by key. "others" is a case another
# manager referred.
CASE_KEYS = ("submitted", "informal", "panel", "signoff", "formal", "closed", "others")

# The people: a key for each role or relation the matrix checks.
PEOPLE = (
    "anonymous",
    "manager",  # referred every case but "others"
    "other_manager",  # referred "others"
    "hr",
    "panel_cleared",  # chair on the panel case, declared no conflict
    "panel_undeclared",  # convened on the panel case, yet to declare
    "panel_conflict",  # declared a conflict on the panel case: stood down
    "panel_elsewhere",  # in the pool, convened on no case
    "director",  # decision-maker, on no panel
    "governance",
    "outsider",  # a login with no role
    "superuser",
)

# What each person may be to a case.
HR, DM, REFERRER, CLEARED, UNDECLARED, CONFLICTED, NONE = (
    "hr",
    "dm",
    "referrer",
    "cleared",
    "undeclared",
    "conflicted",
    "none",
)


def summary(key: str) -> str:
    return f"Qzx summary of the {key} concern: raised voice at handover"


def informal_steps(key: str) -> str:
    return f"Qzx informal steps for {key}: a quiet word"


def department(key: str) -> str:
    return f"Qzx {key.title()} Ward"


def view_comment(key: str, who: str) -> str:
    return f"Qzx view on {key} by {who}: needs weighing"


@dataclass
class WorldCase:
    key: str
    case: Case
    employee: Employee
    referrer: str  # a key of PEOPLE
    seats: dict[str, str] = field(default_factory=dict)  # person -> CLEARED/UNDECLARED/CONFLICTED
    views: dict[str, str] = field(default_factory=dict)  # person -> comment recorded
    conflict_reason: str = ""

    @property
    def pk(self) -> int:
        return int(self.case.pk)

    def markers(self) -> dict[str, list[str]]:
        """Every guarded piece of this case's content, by kind."""
        return {
            "concern": [summary(self.key), informal_steps(self.key)],
            "department": [department(self.key)],
            "views": list(self.views.values()),
            "conflict": [self.conflict_reason] if self.conflict_reason else [],
            "ethnicity": [ETHNIC_LABEL, ETHNIC_JSON],
        }

    def relation(self, person: str) -> str:
        """What ``person`` is to this case, from the facts recorded while building it."""
        if person == "hr":
            return HR
        if person == "director":
            return DM
        if person == self.referrer:
            return REFERRER
        return self.seats.get(person, NONE)


@dataclass
class World:
    users: dict[str, Any]  # person key -> user (no entry for anonymous)
    cases: dict[str, WorldCase]
    notification_id: int  # one of the referring manager's notifications
    notification_owner: str

    def all_markers(self) -> list[str]:
        seen: list[str] = []
        for wc in self.cases.values():
            for strings in wc.markers().values():
                seen.extend(s for s in strings if s not in seen)
        return seen


def _employee(key: str, icsu: Any) -> Employee:
    unit = OrgUnitFactory.create(
        code=f"DEP-QZX-{key.upper()}", name=department(key), kind="department", parent=icsu
    )
    employee: Employee = EmployeeFactory.create(
        name=f"Employee {key.title()}", org_unit=unit, ethnic_category=ETHNIC.value
    )
    return employee


def _submit(key: str, manager: Any, icsu: Any) -> WorldCase:
    employee = _employee(key, icsu)
    kwargs = referral_kwargs(
        employee, summary=summary(key), informal_steps_tried=informal_steps(key)
    )
    return WorldCase(key, referral_submit(actor=manager, **kwargs), employee, referrer="manager")


def build_world() -> World:
    """Every person and case, through the services. Call with database access."""
    tree = org_tree()
    surgery = OrgUnitFactory.create(
        code="ICSU-SUR", name="Surgery", kind="icsu", parent=tree["trust"]
    )
    amu = OrgUnitFactory.create(
        code="DEP-AMU", name="Acute Medical Unit", kind="department", parent=tree["icsu"]
    )
    theatres = OrgUnitFactory.create(
        code="DEP-THE", name="Theatres", kind="department", parent=surgery
    )
    users: dict[str, Any] = {
        "manager": make_user("maya.manager", Role.MANAGER),
        "other_manager": make_user("omar.manager", Role.MANAGER),
        "hr": make_user("hana.hr", Role.HR),
        "panel_cleared": make_user("priya.panel", Role.PANEL),
        "panel_b": make_user("paul.panel", Role.PANEL),  # cleared too; not a matrix role
        "panel_undeclared": make_user("dev.panel", Role.PANEL),
        "panel_conflict": make_user("pat.panel", Role.PANEL),
        "panel_elsewhere": make_user("eve.panel", Role.PANEL),
        "director": make_user("dina.director", Role.DECISION_MAKER),
        "governance": make_user("gill.governance", Role.GOVERNANCE),
        "outsider": make_user("olly.outsider"),
        "superuser": get_user_model().objects.create_superuser(
            "ada.admin", "ada@example.org", "pw-Cast-2026!"
        ),
    }
    # The pool meets the default rules for an employee in Medicine: chairs at
    # 8a+, trained independent members from Surgery, nobody in the department.
    in_pool(users["panel_cleared"], unit=amu, band="8a")
    in_pool(users["panel_b"], unit=theatres, band="8b", trained=True)
    in_pool(users["panel_undeclared"], unit=theatres, band="8a", trained=True)
    in_pool(users["panel_conflict"], unit=amu, band="8a")
    in_pool(users["panel_elsewhere"], unit=theatres, band="8a", trained=True)
    hr, manager, chair = users["hr"], users["manager"], users["panel_cleared"]
    icsu = tree["icsu"]

    cases: dict[str, WorldCase] = {}
    cases["submitted"] = _submit("submitted", manager, icsu)
    others = _submit("others", users["other_manager"], icsu)
    others.referrer = "other_manager"
    cases["others"] = others

    informal = _submit("informal", manager, icsu)
    case_triage(case_id=informal.pk, actor=hr, route="informal")
    cases["informal"] = informal

    closed = _submit("closed", manager, icsu)
    case_triage(case_id=closed.pk, actor=hr, route="informal")
    case_record_informal_outcome(
        case_id=closed.pk, actor=manager, resolved=True, actions="Facilitated conversation."
    )
    cases["closed"] = closed

    # The panel case: chair and paul cleared with views; pat declares a
    # conflict (stood down); dev is yet to declare.
    panel = _submit("panel", manager, icsu)
    case_triage(case_id=panel.pk, actor=hr, route="panel", reason="A pattern of concerns.")
    seated = ["panel_cleared", "panel_b", "panel_conflict", "panel_undeclared"]
    panel_convene(case_id=panel.pk, actor=hr, members=[users[p].pk for p in seated], chair=chair.pk)
    panel_declare(
        case_id=panel.pk, actor=users["panel_conflict"], no_conflict=False, reason=CONFLICT_REASON
    )
    panel.conflict_reason = CONFLICT_REASON
    panel.seats = {"panel_conflict": CONFLICTED, "panel_undeclared": UNDECLARED}
    for person in ("panel_cleared", "panel_b"):
        panel_declare(case_id=panel.pk, actor=users[person], no_conflict=True)
        comment = view_comment("panel", person)
        panel_view_record(
            case_id=panel.pk, actor=users[person], outcome="formal_investigation", comment=comment
        )
        panel.seats[person] = CLEARED
        panel.views[person] = comment
    cases["panel"] = panel

    for key in ("signoff", "formal"):
        wc = _submit(key, manager, icsu)
        case_triage(case_id=wc.pk, actor=hr, route="panel", reason="A pattern of concerns.")
        seated = ["panel_cleared", "panel_b", "panel_undeclared"]
        panel_convene(
            case_id=wc.pk, actor=hr, members=[users[p].pk for p in seated], chair=chair.pk
        )
        for person in seated:
            panel_declare(case_id=wc.pk, actor=users[person], no_conflict=True)
            comment = view_comment(key, person)
            panel_view_record(
                case_id=wc.pk, actor=users[person], outcome="formal_investigation", comment=comment
            )
            wc.seats[person] = CLEARED
            wc.views[person] = comment
        panel_decision_record(
            case_id=wc.pk,
            actor=chair,
            outcome="formal_investigation",
            rationale="The panel weighed the evidence and the guide.",
        )
        if key == "formal":
            case_signoff(case_id=wc.pk, actor=users["director"], approve=True)
        cases[key] = wc

    for wc in cases.values():
        wc.case = Case.objects.get(pk=wc.pk)
    from notifications.models import Notification

    mine = Notification.objects.filter(recipient=manager).order_by("pk").first()
    return World(
        users=users,
        cases=cases,
        notification_id=mine.pk if mine is not None else 999_999,
        notification_owner="manager",
    )


def referral_form(world: World) -> dict[str, Any]:
    """A valid referral, for posting as people who may not refer."""
    body = referral_kwargs(world.cases["submitted"].employee)
    body["incident_date"] = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    return body
