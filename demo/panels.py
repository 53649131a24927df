"""The panel side of the demo data (``demo.trust`` drives it, one trust at a time).

Each demo trust's panel members (its ``pool``) are department leads (band 8a)
spread over its ICSUs, some of them trained independent members, so that
every demo case has a panel meeting the default rules. Each demo panel is the one HR is
suggested, and members declare and give their views before the chair
decides, all through the services, like a real case.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.roles import Role, holders
from accounts.types import Actor
from core.errors import DomainError
from panels import state
from panels.models import Panel, PoolMember, StaffNetwork
from panels.services import (
    panel_convene,
    panel_decision_record,
    panel_declare,
    panel_members_replace,
    panel_suggest,
    panel_view_record,
)
from panels.state import current_panel
from staff.models import Employee
from voice.selectors import has_account
from voice.services import account_record
from workflow.models import Case, Outcome

NETWORKS = {
    "race-equality": "Race equality network",
    "disability": "Disability network",
    "lgbt": "LGBT+ network",
}
CONFLICT = "The employee is a close friend of mine outside work."
VIEW = "Having read the referral and the guide's advice, this is the proportionate outcome."
DISSENT = "I would not single the employee out yet: an informal route is proportionate."
ACCOUNT = (
    "I did not mean to upset anyone. The ward was two nurses short that week and I was "
    "covering two bays; I asked for help twice before it happened."
)
AGREED = {
    Outcome.INFORMAL_ACTION: "Letter of concern; monthly supervision for three months.",
    Outcome.MEDIATION: "Facilitated mediation within four weeks, reviewed by HR.",
}


def pool_load(
    employees: list[Employee], pool: dict[str, tuple[str, bool, tuple[str, ...]]]
) -> None:
    """Link each demo panel member (``pool``: username to the department they
    lead, whether trained as an independent member, their networks) to the
    lead of their department and put them in the current trust's pool.
    The lead's record takes the login's name: a login and the employee record
    linked to it are one person, so they must not carry two names.
    Idempotent: links and records are set, not added."""
    networks = {
        code: StaffNetwork.objects.update_or_create(code=code, defaults={"name": name})[0]
        for code, name in NETWORKS.items()
    }
    # Training outlives the demo's backdated clock and the year after loading.
    trained_until = dt.date.today() + dt.timedelta(days=3 * 365)
    users = get_user_model().objects.in_bulk(list(pool), field_name="username")
    for username, (department, trained, codes) in pool.items():
        user = users[username]
        lead = next(e for e in employees if e.org_unit.code == department and e.band == "8a")
        Employee.objects.filter(user=user).exclude(pk=lead.pk).update(user=None)
        lead.name = user.get_full_name() or lead.name
        Employee.objects.filter(pk=lead.pk).update(user=user, name=lead.name)
        member, _ = PoolMember.objects.update_or_create(
            user=user,
            defaults={
                "independent_trained_until": trained_until if trained else None,
                "away_until": None,
            },
        )
        member.networks.set([networks[c] for c in codes])


def convene(case: Case, hr: Actor) -> Case:
    """HR asks for a suggested panel and convenes it as suggested."""
    suggestion = panel_suggest(case_id=case.pk, actor=hr)
    if not suggestion.found or suggestion.chair_id is None:
        raise DomainError(f"No valid demo panel: {' '.join(suggestion.problems)}")
    return panel_convene(
        case_id=case.pk, actor=hr, members=list(suggestion.member_ids), chair=suggestion.chair_id
    )


def conflict(case: Case) -> Case:
    """A member other than the chair declares a conflict and stands down."""
    panel = _panel(case)
    seat = next(m for m in state.sitting(panel) if m.user_id != panel.chair_id)
    return panel_declare(case_id=case.pk, actor=seat.user, no_conflict=False, reason=CONFLICT)


def declare(case: Case) -> Case:
    """Every sitting member yet to declare says they have no conflict."""
    for seat in state.sitting(_panel(case)):
        if state.declaration(seat) is None:
            case = panel_declare(case_id=case.pk, actor=seat.user, no_conflict=True)
    return case


def replace(case: Case, hr: Actor) -> Case:
    """HR fills the empty seat with whom the suggestion proposes."""
    suggestion = panel_suggest(case_id=case.pk, actor=hr)
    panel = _panel(case)
    sitting = {m.user_id for m in state.sitting(panel)}
    new = [i for i in suggestion.member_ids if i not in sitting]
    chair = suggestion.chair_id if suggestion.chair_id != panel.chair_id else None
    return panel_members_replace(case_id=case.pk, actor=hr, members=new, chair=chair)


def decide(case: Case, outcome: str, rationale: str) -> Case:
    """Declarations and views (the last member dissenting from a formal
    proposal), then the chair's decision with any agreed actions."""
    case = declare(case)
    case = _account(case)
    panel = _panel(case)
    seats = state.sitting(panel)
    for seat in seats:
        if state.viewed_this_round(seat, panel):
            continue
        dissent = outcome == Outcome.FORMAL_INVESTIGATION and seat == seats[-1]
        case = panel_view_record(
            case_id=case.pk,
            actor=seat.user,
            outcome=Outcome.INFORMAL_ACTION if dissent else outcome,
            comment=DISSENT if dissent else VIEW,
        )
    return panel_decision_record(
        case_id=case.pk,
        actor=panel.chair,
        outcome=outcome,
        rationale=rationale,
        agreed_actions=AGREED.get(Outcome(outcome), ""),
    )


def _account(case: Case) -> Case:
    """The employee's own account, typed by the case owner from a meeting, as
    HR adds it before the panel decides (voice/; the default policy needs it)."""
    if has_account(case.pk):
        return case
    fresh = Case.objects.select_related("owner").get(pk=case.pk)
    hr = fresh.owner or holders(Role.HR).order_by("pk").first()
    if hr is None:  # every demo trust has HR advisers; without one, no account
        return case
    return account_record(
        case_id=case.pk,
        actor=hr,
        source="meeting",
        text=ACCOUNT,
        meeting_on=timezone.localdate(),
    )


def _panel(case: Case) -> Panel:
    panel = current_panel(Case.objects.get(pk=case.pk))
    if panel is None:
        raise DomainError(f"Demo case {case.reference} has no panel.")
    return panel
