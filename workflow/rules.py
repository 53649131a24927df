"""Who may see a case, and who may take which action on it.

Pure functions over a case and a user, shared by the services (which
enforce them), the selectors (which scope lists) and the UI and API (which
offer only the actions a person may take now). What a person may *see* is
decided in ``workflow.access``; this module keeps the action table.

Every ``Action`` names a node of the flow, so all of them are listed here;
the rules of the engine's own steps are here too. A stage that plugs into
the engine brings the rules of its actions and registers them at start-up
(``register_rules``; the panel stage's are ``panels.actions``), and a system
check (``workflow.checks``) refuses to start with an action left without one.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

from accounts.delegation import delegated_people
from accounts.roles import Role, has_role

from . import access
from .models import Stage

if TYPE_CHECKING:
    from accounts.types import Viewer

    from .models import Case


class Action(enum.StrEnum):
    TRIAGE = "triage"
    RESUBMIT = "resubmit"
    RECORD_INFORMAL_OUTCOME = "record_informal_outcome"
    # The employee's voice (voice/): told of the referral, their own account.
    RECORD_EMPLOYEE_TOLD = "record_employee_told"
    ISSUE_ACCOUNT_LINK = "issue_account_link"
    RECORD_ACCOUNT = "record_account"
    SUGGEST_PANEL = "suggest_panel"
    CONVENE_PANEL = "convene_panel"
    REPLACE_MEMBERS = "replace_members"
    DECLARE = "declare"
    RECORD_VIEW = "record_view"
    DECIDE = "decide"
    SIGNOFF = "signoff"
    # The formal process after sign-off (formal/), following the Acas Code.
    NAME_INVESTIGATOR = "name_investigator"
    RECORD_INVESTIGATION_OUTCOME = "record_investigation_outcome"
    SCHEDULE_HEARING = "schedule_hearing"
    RECORD_HEARING_OUTCOME = "record_hearing_outcome"
    LODGE_APPEAL = "lodge_appeal"
    RECORD_APPEAL_OUTCOME = "record_appeal_outcome"
    CONCLUDE_FORMAL = "conclude_formal"
    # Wellbeing at every step (wellbeing/).
    SET_WELLBEING_CONTACT = "set_wellbeing_contact"
    RECORD_CHECKIN = "record_checkin"
    # The suspension and exclusion register (suspensions/).
    RECORD_SUSPENSION = "record_suspension"
    REVIEW_SUSPENSION = "review_suspension"
    LIFT_SUSPENSION = "lift_suspension"
    WITHDRAW = "withdraw"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.TRIAGE: "Triage",
    Action.RESUBMIT: "Resubmit with more information",
    Action.RECORD_INFORMAL_OUTCOME: "Record informal outcome",
    Action.RECORD_EMPLOYEE_TOLD: "Record that the employee was told",
    Action.ISSUE_ACCOUNT_LINK: "Send the employee a link for their account",
    Action.RECORD_ACCOUNT: "Add the employee's account",
    Action.SUGGEST_PANEL: "Suggest a panel",
    Action.CONVENE_PANEL: "Convene panel",
    Action.REPLACE_MEMBERS: "Replace a panel member",
    Action.DECLARE: "Declare any conflict of interest",
    Action.RECORD_VIEW: "Record your view",
    Action.DECIDE: "Record panel decision",
    Action.SIGNOFF: "Sign off",
    Action.NAME_INVESTIGATOR: "Name the investigator",
    Action.RECORD_INVESTIGATION_OUTCOME: "Record the investigation's outcome",
    Action.SCHEDULE_HEARING: "Arrange the hearing",
    Action.RECORD_HEARING_OUTCOME: "Record the hearing's outcome",
    Action.LODGE_APPEAL: "Record an appeal",
    Action.RECORD_APPEAL_OUTCOME: "Record the appeal's outcome",
    Action.CONCLUDE_FORMAL: "Conclude the formal process",
    Action.SET_WELLBEING_CONTACT: "Name the wellbeing contact",
    Action.RECORD_CHECKIN: "Record a wellbeing check-in",
    Action.RECORD_SUSPENSION: "Record a suspension or restriction",
    Action.REVIEW_SUSPENSION: "Review the suspension",
    Action.LIFT_SUSPENSION: "Lift the suspension",
    Action.WITHDRAW: "Withdraw",
}


def is_referrer(user: Viewer, case: Case) -> bool:
    return bool(user.is_authenticated and case.referring_manager_id == user.pk)


# Who may see what is decided once, in ``workflow.access``; these names are
# the Python forms the services and older callers use.


def can_view(user: Viewer, case: Case) -> bool:
    """``access.CaseVisible``: the services refuse anyone else with a 404."""
    return access.CaseVisible.allows(user, case)


def can_see_ethnicity(user: Viewer) -> bool:
    """``access.EthnicityVisible``."""
    return access.EthnicityVisible.allows(user)


def must_declare_first(user: Viewer, case: Case) -> bool:
    """A person who may see the case but not its details (``access.DetailsVisible``):
    a panel member who has not declared "no conflict" sees only its reference,
    the people involved and what to do."""
    return access.CaseVisible.allows(user, case) and not access.DetailsVisible.allows(user, case)


def can_see_panel_views(user: Viewer, case: Case) -> bool:
    """``access.PanelViewsVisible``."""
    return access.PanelViewsVisible.allows(user, case)


@dataclass(frozen=True)
class Rule:
    """When an action applies and who may take it.

    It applies while ``node`` is active (the action completes that task and
    moves the flow), or while one of the ``during`` tasks is active (the
    action records something and leaves the flow where it is), or else while
    the case is in one of ``stages``. ``allowed`` says who may take it (403
    otherwise); ``ready``, when given, says why it cannot happen yet (409),
    e.g. the chair deciding before the panel's views are in.
    """

    allowed: Callable[[Viewer, Case], bool]
    refusal: str
    node: str | None = None
    stages: tuple[str, ...] = ()
    during: tuple[str, ...] = ()
    ready: Callable[[Viewer, Case], str | None] | None = None


def hr_adviser(user: Viewer, case: Case) -> bool:
    """An HR adviser acting on a case they did not refer (as referrer they are its manager)."""
    return has_role(user, Role.HR) and not is_referrer(user, case)


def _referrer(user: Viewer, case: Case) -> bool:
    return has_role(user, Role.MANAGER) and is_referrer(user, case)


def _referrer_or_hr(user: Viewer, case: Case) -> bool:
    return _referrer(user, case) or hr_adviser(user, case)


def _signatory(user: Viewer, case: Case) -> bool:
    # The sign-off is an independent check (access.SignoffIndependent).
    return access.SignoffIndependent.allows(user, case)


_RULES: dict[Action, Rule] = {
    Action.TRIAGE: Rule(hr_adviser, "Only an HR adviser can triage a referral.", node="triage"),
    Action.RESUBMIT: Rule(
        _referrer, "Only the referring manager can resubmit this referral.", node="resubmit"
    ),
    Action.RECORD_INFORMAL_OUTCOME: Rule(
        _referrer_or_hr,
        "Only the referring manager or an HR adviser can record the informal outcome.",
        node="informal",
    ),
    Action.CONVENE_PANEL: Rule(
        hr_adviser, "Only an HR adviser can convene a panel.", node="convene"
    ),
    Action.SIGNOFF: Rule(
        _signatory,
        "Only a decision-maker who is neither the referring manager nor on the panel can sign off.",
        node="signoff",
    ),
    Action.WITHDRAW: Rule(
        _referrer_or_hr,
        "Only the referring manager or an HR adviser can withdraw a referral.",
        stages=tuple(Stage.open_values()),
    ),
}
# Every action's rule, the engine's and those registered: read-only, and live
# (it shows what is registered later).
RULES: Mapping[Action, Rule] = MappingProxyType(_RULES)


def register_rules(rules: Mapping[Action, Rule]) -> None:
    """Add the rules of a stage's actions (from its app's ``ready()``).

    An action has one rule: registering another for an action that has one
    is refused, so two apps cannot both claim it. Registering the same rule
    again does nothing (``ready()`` may run more than once in tests).
    """
    taken = sorted(a.value for a, rule in rules.items() if _RULES.get(a, rule) != rule)
    if taken:
        raise ImproperlyConfigured(f"These actions already have a rule: {', '.join(taken)}.")
    _RULES.update(rules)


# What a delegate may do for the person they cover: the referring manager's
# own steps (resubmitting, recording the informal outcome, withdrawing).
# Nothing else: what a member does on their own seat is theirs alone (a
# declaration of a conflict of interest is personal, and HR replaces an
# absent member instead; so are a member's view and the chair's decision),
# and the HR and sign-off steps are open to every holder of the role in
# their own right, whose independence from the case is their own, never
# borrowed (docs/case-owners.md).
DELEGABLE = frozenset({Action.RESUBMIT, Action.RECORD_INFORMAL_OUTCOME, Action.WITHDRAW})
NOT_DELEGABLE = frozenset({Action.DECLARE, Action.RECORD_VIEW, Action.DECIDE})
NOT_DELEGABLE_REFUSAL = (
    "{action} is personal to the panel member: nobody can do it for them. "
    "Ask HR to replace a member who is away."
)


def acting_for(user: Viewer, action: Action, case: Case) -> Viewer | None:
    """The person ``user`` covers today (``accounts.delegation``) whose own
    rule allows ``action`` on ``case``, for a delegate whose own rule
    refuses it; None if there is none, or the action is not ``DELEGABLE``.

    Ask only after the person's own rule refused: the delegations are read
    then, so acting for oneself costs no extra query."""
    if action not in DELEGABLE:
        return None
    rule = RULES[action]
    person: Viewer
    for person in delegated_people(user):
        if rule.allowed(person, case):
            return person
    return None


def applies(action: Action, case: Case, active_nodes: Iterable[str]) -> bool:
    rule = RULES[action]
    nodes = set(active_nodes)
    if rule.node is not None:
        return rule.node in nodes
    if rule.during:
        return bool(nodes.intersection(rule.during))
    return case.stage in rule.stages


def not_ready(action: Action, user: Viewer, case: Case) -> str | None:
    """Why ``action`` cannot happen yet on ``case`` (a 409), or None."""
    ready = RULES[action].ready
    return ready(user, case) if ready is not None else None


def available_actions(user: Viewer, case: Case, active_nodes: Iterable[str]) -> list[Action]:
    """The actions ``user`` may take on ``case`` now, in the flow's order (the
    order of ``Action``, whichever app registered each rule and when): their
    own, and those they may take for someone they cover (``acting_for``)."""
    nodes = set(active_nodes)
    offered = []
    for a in Action:
        if not applies(a, case, nodes):
            continue
        who = user if RULES[a].allowed(user, case) else acting_for(user, a, case)
        if who is not None and not not_ready(a, who, case):
            offered.append(a)
    return offered
