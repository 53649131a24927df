"""Who may see a case, and who may take which action on it.

Pure functions over a case and a user, shared by the services (which
enforce them), the selectors (which scope lists) and the UI and API (which
offer only the actions a person may take now).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from accounts.roles import Role, has_role

from .models import Stage

if TYPE_CHECKING:
    from panels.models import Panel

    from .models import Case


class Action(enum.StrEnum):
    TRIAGE = "triage"
    RESUBMIT = "resubmit"
    RECORD_INFORMAL_OUTCOME = "record_informal_outcome"
    CONVENE_PANEL = "convene_panel"
    DECIDE = "decide"
    SIGNOFF = "signoff"
    WITHDRAW = "withdraw"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.TRIAGE: "Triage",
    Action.RESUBMIT: "Resubmit with more information",
    Action.RECORD_INFORMAL_OUTCOME: "Record informal outcome",
    Action.CONVENE_PANEL: "Convene panel",
    Action.DECIDE: "Record panel decision",
    Action.SIGNOFF: "Sign off",
    Action.WITHDRAW: "Withdraw",
}


def is_referrer(user: Any, case: Case) -> bool:
    return bool(user.is_authenticated and case.referring_manager_id == user.pk)


def current_panel(case: Case) -> Panel | None:
    """The latest panel convened on the case (uses a prefetched list if present)."""
    panels = list(case.panels.all())
    return max(panels, key=lambda p: (p.convened_at, p.pk)) if panels else None


def panel_member_ids(case: Case) -> set[int]:
    return {m.user_id for p in case.panels.all() for m in p.memberships.all()}


def can_view(user: Any, case: Case) -> bool:
    """HR and decision-makers see every case; a manager the cases they referred;
    a panel member the cases they were convened on; governance no case."""
    if has_role(user, Role.HR, Role.DECISION_MAKER):
        return True
    if has_role(user, Role.MANAGER) and is_referrer(user, case):
        return True
    return has_role(user, Role.PANEL) and user.pk in panel_member_ids(case)


def can_see_ethnicity(user: Any) -> bool:
    return has_role(user, Role.HR, Role.DECISION_MAKER)


@dataclass(frozen=True)
class Rule:
    """An action applies while ``node`` is active (or, with no node, while the
    case is in one of ``stages``); ``allowed`` says who may take it."""

    allowed: Callable[[Any, Case], bool]
    refusal: str
    node: str | None = None
    stages: tuple[str, ...] = ()


def _hr(user: Any, case: Case) -> bool:
    return has_role(user, Role.HR) and not is_referrer(user, case)


def _referrer(user: Any, case: Case) -> bool:
    return has_role(user, Role.MANAGER) and is_referrer(user, case)


def _referrer_or_hr(user: Any, case: Case) -> bool:
    return _referrer(user, case) or _hr(user, case)


def _chair(user: Any, case: Case) -> bool:
    panel = current_panel(case)
    return has_role(user, Role.PANEL) and panel is not None and panel.chair_id == user.pk


def _signatory(user: Any, case: Case) -> bool:
    # Someone other than the referring manager, and not one of the panel that
    # proposed formal action: the sign-off is an independent check.
    return (
        has_role(user, Role.DECISION_MAKER)
        and not is_referrer(user, case)
        and user.pk not in panel_member_ids(case)
    )


RULES: dict[Action, Rule] = {
    Action.TRIAGE: Rule(_hr, "Only an HR adviser can triage a referral.", node="triage"),
    Action.RESUBMIT: Rule(
        _referrer, "Only the referring manager can resubmit this referral.", node="resubmit"
    ),
    Action.RECORD_INFORMAL_OUTCOME: Rule(
        _referrer_or_hr,
        "Only the referring manager or an HR adviser can record the informal outcome.",
        node="informal",
    ),
    Action.CONVENE_PANEL: Rule(_hr, "Only an HR adviser can convene a panel.", node="convene"),
    Action.DECIDE: Rule(
        _chair, "Only the chair of this case's panel can record its decision.", node="decide"
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


def applies(action: Action, case: Case, active_nodes: Iterable[str]) -> bool:
    rule = RULES[action]
    if rule.node is not None:
        return rule.node in set(active_nodes)
    return case.stage in rule.stages


def available_actions(user: Any, case: Case, active_nodes: Iterable[str]) -> list[Action]:
    """The actions ``user`` may take on ``case`` now, in the flow's order."""
    nodes = set(active_nodes)
    return [a for a, rule in RULES.items() if applies(a, case, nodes) and rule.allowed(user, case)]
