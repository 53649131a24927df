"""Who may sit on a case's panel, and what a panel must look like: pure functions.

Nothing here touches the database. ``panels.selectors`` turns the pool and the
case into the plain facts below (in a fixed number of queries), and the
services, the suggestion and the property tests all judge panels with the
same two functions:

* ``eligibility(member, case)``: why this person may not sit on this case
  (empty when they may);
* ``composition_errors(members, chair_id, case, rules)``: every rule the
  panel breaks, each message naming its rule (empty when it may be convened).

Both the convening check and the suggestion count a panel's kinds of member
(independent, outside the ICSU, in a network) with ``composition_counts``.

The independence of the panel is the point of the product: a panel of the
referring manager's colleagues, or one with no independent member, would
wave biased referrals through. So the conflicts below are never settings;
the composition counts are (trust policy, ``PanelRules.current``).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from tenancy.models import TrustPolicy
from tenancy.policy import trust_policy

# Agenda for Change bands, lowest first; blank (e.g. medical staff) has no rank.
BANDS = ["1", "2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9"]


def day_label(day: dt.date | None) -> str:
    return f"{day.day} {day:%b %Y}" if day else ""


def band_rank(band: str) -> int | None:
    return BANDS.index(band) if band in BANDS else None


class PanelRule(enum.StrEnum):
    POOL = "pool"
    AVAILABILITY = "availability"
    CONFLICT = "conflict"
    SIZE = "size"
    CHAIR = "chair"
    CHAIR_BAND = "chair_band"
    INDEPENDENT = "independent"
    OUTSIDE_ICSU = "outside_icsu"
    NETWORK = "network"
    # The formal process after sign-off (formal/): whoever investigates, hears
    # or hears the appeal must not have been involved in the case before.
    INVOLVEMENT = "involvement"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return RULE_LABELS[self]


RULE_LABELS = {
    PanelRule.POOL: "Panel pool",
    PanelRule.AVAILABILITY: "Availability",
    PanelRule.CONFLICT: "Conflict of interest",
    PanelRule.SIZE: "Panel size",
    PanelRule.CHAIR: "One chair",
    PanelRule.CHAIR_BAND: "Chair's band",
    PanelRule.INDEPENDENT: "Independent member",
    PanelRule.OUTSIDE_ICSU: "Member from outside the ICSU",
    PanelRule.NETWORK: "Staff network member",
    PanelRule.INVOLVEMENT: "Not previously involved",
    PanelRule.STAFF: "Member of staff",
}

# A reason grouped into one message for all the people it applies to, so a
# request naming, say, an HR adviser reads "not panel members: user ids [7]".
NOT_PANEL_MEMBER = "does not hold the panel member role (or the account is inactive)"


@dataclass(frozen=True)
class Reason:
    """Why a rule is not met: the rule, and a sentence for the person acting."""

    rule: PanelRule
    text: str
    field: str = "members"  # the request field it is about: members or chair

    def __str__(self) -> str:
        return f"{self.rule.label}: {self.text}"


@dataclass(frozen=True)
class Member:
    """A pool member as the rules see them (see ``panels.selectors``)."""

    user_id: int
    name: str
    panel_role: bool = True  # holds the panel member role and the account is active
    in_pool: bool = True  # has a pool record
    employee_id: int | None = None  # their own employee record (linked to their login)
    unit_id: int | None = None  # the employee record's org unit
    icsu_id: int | None = None  # the ICSU above it (None: trust level)
    band: str = ""
    managers: frozenset[int] = frozenset()  # employee ids of their line-management chain
    independent_until: dt.date | None = None
    away_until: dt.date | None = None
    networks: frozenset[str] = frozenset()
    # Load, for spreading panels fairly: open panels sat on, and when last convened.
    open_panels: int = 0
    last_sat: dt.date | None = None

    def independent_on(self, day: dt.date) -> bool:
        return self.independent_until is not None and self.independent_until >= day

    def can_chair(self, rules: PanelRules) -> bool:
        rank = band_rank(self.band)
        return rank is not None and rank >= BANDS.index(rules.chair_min_band)


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need about a case, as of ``today``."""

    referrer_id: int
    # None only on a destroyed case file (records.retention), which is closed
    # and never reaches the panel rules.
    employee_id: int | None
    unit_id: int
    icsu_id: int | None
    managers: frozenset[int]  # employee ids of the employee's line-management chain
    today: dt.date
    declared_conflicts: frozenset[int] = frozenset()  # user ids

    def outside_icsu(self, member: Member) -> bool:
        return member.employee_id is not None and member.icsu_id != self.icsu_id


@dataclass(frozen=True)
class PanelRules:
    """A trust's composition rules (its ``TrustPolicy``; ``current()``: the
    trust acted for. The defaults below are those of config/settings.py)."""

    min_members: int = 3
    max_members: int = 5
    min_independent: int = 1
    min_outside_icsu: int = 1
    min_network: int = 0
    chair_min_band: str = "8a"
    quorum: int = 0  # 0: every sitting member

    @classmethod
    def from_policy(cls, policy: TrustPolicy) -> PanelRules:
        return cls(
            min_members=policy.panel_min_members,
            max_members=policy.panel_max_members,
            min_independent=policy.panel_min_independent,
            min_outside_icsu=policy.panel_min_outside_icsu,
            min_network=policy.panel_min_network,
            chair_min_band=policy.panel_chair_min_band,
            quorum=policy.panel_quorum,
        )

    @classmethod
    def current(cls) -> PanelRules:
        """The rules of the trust being acted for."""
        return cls.from_policy(trust_policy())

    def views_needed(self, sitting: int) -> int:
        """Views the chair needs before deciding, for a panel of ``sitting`` members."""
        return sitting if self.quorum == 0 else min(self.quorum, sitting)


def eligibility(member: Member, case: CaseFacts, *, sitting: bool = False) -> list[Reason]:
    """Every reason ``member`` may not sit on ``case``'s panel; empty if they may.

    ``sitting``: they already sit on this panel, so being away since does not
    unseat them (every other reason does).
    """
    if not member.panel_role:  # nothing else about them matters but a conflict
        return [Reason(PanelRule.POOL, NOT_PANEL_MEMBER), *_conflicts(member, case)]
    reasons: list[Reason] = []
    if not member.in_pool:
        reasons.append(Reason(PanelRule.POOL, "is not in the panel pool"))
    if member.employee_id is None:
        reasons.append(Reason(PanelRule.POOL, "has no employee record linked to their login"))
    if not sitting and member.away_until is not None and member.away_until >= case.today:
        reasons.append(
            Reason(PanelRule.AVAILABILITY, f"is away until {day_label(member.away_until)}")
        )
    reasons.extend(_conflicts(member, case))
    return reasons


def _conflicts(member: Member, case: CaseFacts) -> list[Reason]:
    conflicts: list[str] = []
    if member.user_id == case.referrer_id:
        conflicts.append("is the referring manager")
    if member.employee_id is not None:
        if member.employee_id == case.employee_id:
            conflicts.append("is the employee the referral is about")
        elif member.employee_id in case.managers:
            conflicts.append("is in the employee's line-management chain")
        elif case.employee_id in member.managers:
            conflicts.append("is line-managed, directly or not, by the employee")
        if member.unit_id == case.unit_id and member.employee_id != case.employee_id:
            conflicts.append("works in the employee's department")
    if member.user_id in case.declared_conflicts:
        conflicts.append("declared a conflict of interest on this case")
    return [Reason(PanelRule.CONFLICT, text) for text in conflicts]


def composition_errors(
    members: Sequence[Member],
    chair_id: int | None,
    case: CaseFacts,
    rules: PanelRules,
    *,
    sitting: frozenset[int] = frozenset(),
) -> list[Reason]:
    """Every rule a panel of ``members`` chaired by ``chair_id`` breaks on ``case``.

    Checks each member's eligibility, then the size, the chair and the
    composition counts. Members are counted once however often they appear.
    ``sitting``: user ids already on this panel (see ``eligibility``).
    """
    unique = list({m.user_id: m for m in members}.values())
    errors = _member_errors(unique, case, sitting)
    errors.extend(_size_errors(len(unique), rules))
    errors.extend(_chair_errors(unique, chair_id, rules))
    errors.extend(_count_errors(unique, case, rules))
    return errors


def _member_errors(members: list[Member], case: CaseFacts, sitting: frozenset[int]) -> list[Reason]:
    errors: list[Reason] = []
    not_panel = [m.user_id for m in members if not m.panel_role]
    if not_panel:
        errors.append(Reason(PanelRule.POOL, f"not panel members: user ids {not_panel}."))
    for m in members:
        for reason in eligibility(m, case, sitting=m.user_id in sitting):
            if reason.text != NOT_PANEL_MEMBER:  # listed once for all, above
                errors.append(Reason(reason.rule, f"{m.name} {reason.text}."))
    return errors


def _size_errors(size: int, rules: PanelRules) -> list[Reason]:
    lo, hi = rules.min_members, rules.max_members
    if lo <= size <= hi:
        return []
    return [Reason(PanelRule.SIZE, f"a panel has between {lo} and {hi} members; this has {size}.")]


def _chair_errors(members: list[Member], chair_id: int | None, rules: PanelRules) -> list[Reason]:
    chair = next((m for m in members if m.user_id == chair_id), None)
    if chair is None:
        return [Reason(PanelRule.CHAIR, "choose the chair from the panel's members.", "chair")]
    if not chair.can_chair(rules):
        band = f"band {chair.band}" if chair.band else "not on an Agenda for Change band"
        text = f"the chair must be at band {rules.chair_min_band} or above; {chair.name} is {band}."
        return [Reason(PanelRule.CHAIR_BAND, text, "chair")]
    return []


# What each composition rule counts, for messages: one such member ("needs at
# least 1 ..."), and several ("only 0 ... may sit on this case").
COUNTED: dict[PanelRule, tuple[str, str]] = {
    PanelRule.INDEPENDENT: (
        "trained independent member with current training",
        "trained independent members with current training",
    ),
    PanelRule.OUTSIDE_ICSU: (
        "member from outside the employee's ICSU",
        "members from outside the employee's ICSU",
    ),
    PanelRule.NETWORK: ("member of a staff network", "staff network members"),
}


@dataclass(frozen=True)
class Count:
    """One composition rule's count: how many members of its kind a panel (or
    a pool) has, and how many the trust's rules need."""

    rule: PanelRule
    needed: int
    has: int

    @property
    def short(self) -> bool:
        return self.has < self.needed

    @property
    def noun(self) -> str:
        """One member of the kind counted."""
        return COUNTED[self.rule][0]

    @property
    def nouns(self) -> str:
        """Several members of the kind counted."""
        return COUNTED[self.rule][1]


def composition_counts(
    members: Sequence[Member], case: CaseFacts, rules: PanelRules
) -> list[Count]:
    """The composition counts of ``members`` on ``case``: trained independent
    members (training current on ``case.today``), members from outside the
    employee's ICSU and members of a staff network.

    Counted here only, so the convening check, the suggestion's search and its
    account of why no panel can be formed cannot count a kind differently.
    """
    return [
        Count(
            PanelRule.INDEPENDENT,
            rules.min_independent,
            sum(m.independent_on(case.today) for m in members),
        ),
        Count(
            PanelRule.OUTSIDE_ICSU,
            rules.min_outside_icsu,
            sum(case.outside_icsu(m) for m in members),
        ),
        Count(PanelRule.NETWORK, rules.min_network, sum(bool(m.networks) for m in members)),
    ]


def _count_errors(members: list[Member], case: CaseFacts, rules: PanelRules) -> list[Reason]:
    return [
        Reason(
            c.rule,
            f"the panel needs at least {c.needed} {_plural(c.needed, c.noun)}; it has {c.has}.",
        )
        for c in composition_counts(members, case, rules)
        if c.short
    ]


def _plural(n: int, what: str) -> str:
    return what if n == 1 else what.replace("member", "members", 1)


@dataclass(frozen=True)
class Strengths:
    """What a member brings to the composition rules (used by the suggestion)."""

    chair: bool
    independent: bool
    outside: bool
    network: bool
    notes: tuple[str, ...] = field(default=())


def strengths(member: Member, case: CaseFacts, rules: PanelRules) -> Strengths:
    notes = []
    if member.can_chair(rules):
        notes.append(f"may chair (band {member.band})")
    if member.independent_on(case.today):
        notes.append(f"trained independent member until {day_label(member.independent_until)}")
    if case.outside_icsu(member):
        notes.append("from outside the employee's ICSU")
    if member.networks:
        notes.append(f"in the {', '.join(sorted(member.networks))}")
    return Strengths(
        chair=member.can_chair(rules),
        independent=member.independent_on(case.today),
        outside=case.outside_icsu(member),
        network=bool(member.networks),
        notes=tuple(notes),
    )


# --- the formal process: not previously involved -------------------------------------


class InvolvedAs(enum.StrEnum):
    """A part someone played in a case before the formal process named them.

    In the order the case meets them: a role is checked against everyone
    named after it (``EARLIER``)."""

    EMPLOYEE = "employee"
    REFERRER = "referrer"
    TRIAGE = "triage"
    PANEL_MEMBER = "panel_member"
    PANEL_CHAIR = "panel_chair"
    SIGNOFF = "signoff"
    INVESTIGATOR = "investigator"
    HEARING_CHAIR = "hearing_chair"

    @property
    def was(self) -> str:
        return INVOLVED_AS_TEXT[self]


INVOLVED_AS_TEXT = {
    InvolvedAs.EMPLOYEE: "is the employee the case is about",
    InvolvedAs.REFERRER: "was the referring manager on this case",
    InvolvedAs.TRIAGE: "was the HR adviser who triaged this case",
    InvolvedAs.PANEL_MEMBER: "sat on this case's panel",
    InvolvedAs.PANEL_CHAIR: "chaired this case's panel",
    InvolvedAs.SIGNOFF: "signed off this case's formal investigation",
    InvolvedAs.INVESTIGATOR: "was the investigator on this case",
    InvolvedAs.HEARING_CHAIR: "chaired the disciplinary hearing on this case",
}


class FormalRole(enum.StrEnum):
    """Whom the formal process names, each checked against the roles before it."""

    INVESTIGATOR = "investigator"
    HEARING_CHAIR = "hearing_chair"
    APPEAL_HEARER = "appeal_hearer"


_BEFORE_INVESTIGATOR = (
    InvolvedAs.EMPLOYEE,
    InvolvedAs.REFERRER,
    InvolvedAs.TRIAGE,
    InvolvedAs.PANEL_MEMBER,
    InvolvedAs.PANEL_CHAIR,
    InvolvedAs.SIGNOFF,
)
# The roles each named person must not have held (Acas Code paras 6 and 27:
# the investigator is not the one who holds the hearing; the appeal is heard
# by someone not previously involved, a more senior manager where possible).
EARLIER: dict[FormalRole, tuple[InvolvedAs, ...]] = {
    FormalRole.INVESTIGATOR: _BEFORE_INVESTIGATOR,
    FormalRole.HEARING_CHAIR: (*_BEFORE_INVESTIGATOR, InvolvedAs.INVESTIGATOR),
    FormalRole.APPEAL_HEARER: tuple(InvolvedAs),
}


@dataclass(frozen=True)
class Involvement:
    """Who played each part in a case so far: user ids by ``InvolvedAs``
    (``formal.selectors.involvement`` reads them in a fixed number of queries)."""

    by_role: dict[InvolvedAs, frozenset[int]] = field(default_factory=dict)

    def roles_of(self, user_id: int) -> list[InvolvedAs]:
        return [role for role in InvolvedAs if user_id in self.by_role.get(role, frozenset())]


def independence(
    person: Member,
    case: CaseFacts,
    involved: Involvement,
    *,
    named_as: FormalRole = FormalRole.APPEAL_HEARER,
    active: bool = True,
) -> list[Reason]:
    """Every reason ``person`` may not be named ``named_as`` in ``case``'s
    formal process; empty if they may.

    The panel's conflicts of interest (``_conflicts``: the referring manager,
    the employee, their line chain and department, a declared conflict)
    apply as they do to a panel member; then one reason per part the person
    played earlier in the case (``EARLIER[named_as]``), each naming it, e.g.
    "Not previously involved: was the investigator on this case". The person
    must be an active member of staff (an employee record linked to their
    login): someone outside the trust's staff cannot be held to its policy.
    """
    reasons: list[Reason] = []
    field_name = named_as.value
    if not active:
        reasons.append(Reason(PanelRule.STAFF, "the account is inactive", field_name))
    if person.employee_id is None:
        reasons.append(
            Reason(PanelRule.STAFF, "has no employee record linked to their login", field_name)
        )
    reasons.extend(Reason(r.rule, r.text, field_name) for r in _conflicts(person, case))
    held = set(involved.roles_of(person.user_id))
    reasons.extend(
        Reason(PanelRule.INVOLVEMENT, role.was, field_name)
        for role in EARLIER[named_as]
        if role in held
    )
    return reasons
