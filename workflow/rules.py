"""Who may see a case, and who may take which action on it.

Pure functions over a case and a user, shared by the services (which
enforce them), the selectors (which scope lists) and the UI and API (which
offer only the actions a person may take now). What a person may *see* is
decided in ``workflow.access``; this module keeps the action table.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from accounts.roles import Role, has_role
from panels import state as panel_state

from . import access
from .models import Stage

if TYPE_CHECKING:
    from panels.models import Panel

    from .models import Case


class Action(enum.StrEnum):
    TRIAGE = "triage"
    RESUBMIT = "resubmit"
    RECORD_INFORMAL_OUTCOME = "record_informal_outcome"
    SUGGEST_PANEL = "suggest_panel"
    CONVENE_PANEL = "convene_panel"
    REPLACE_MEMBERS = "replace_members"
    DECLARE = "declare"
    RECORD_VIEW = "record_view"
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
    Action.SUGGEST_PANEL: "Suggest a panel",
    Action.CONVENE_PANEL: "Convene panel",
    Action.REPLACE_MEMBERS: "Replace a panel member",
    Action.DECLARE: "Declare any conflict of interest",
    Action.RECORD_VIEW: "Record your view",
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


# Who may see what is decided once, in ``workflow.access``; these names are
# the Python forms the services and older callers use.


def can_view(user: Any, case: Case) -> bool:
    """``access.CaseVisible``: the services refuse anyone else with a 404."""
    return access.CaseVisible.allows(user, case)


def can_see_ethnicity(user: Any) -> bool:
    """``access.EthnicityVisible``."""
    return access.EthnicityVisible.allows(user)


def _seat(user: Any, case: Case) -> Any:
    panel = current_panel(case)
    return (
        panel_state.seat_of(panel, user.pk) if panel is not None and user.is_authenticated else None
    )


def must_declare_first(user: Any, case: Case) -> bool:
    """A person who may see the case but not its details (``access.DetailsVisible``):
    a panel member who has not declared "no conflict" sees only its reference,
    the people involved and what to do."""
    return access.CaseVisible.allows(user, case) and not access.DetailsVisible.allows(user, case)


def can_see_panel_views(user: Any, case: Case) -> bool:
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

    allowed: Callable[[Any, Case], bool]
    refusal: str
    node: str | None = None
    stages: tuple[str, ...] = ()
    during: tuple[str, ...] = ()
    ready: Callable[[Any, Case], str | None] | None = None


def _hr(user: Any, case: Case) -> bool:
    return has_role(user, Role.HR) and not is_referrer(user, case)


def _referrer(user: Any, case: Case) -> bool:
    return has_role(user, Role.MANAGER) and is_referrer(user, case)


def _referrer_or_hr(user: Any, case: Case) -> bool:
    return _referrer(user, case) or _hr(user, case)


def _chair(user: Any, case: Case) -> bool:
    panel = current_panel(case)
    return (
        has_role(user, Role.PANEL)
        and panel is not None
        and panel.chair_id == user.pk
        and panel_state.chair_sits(panel)
    )


def _sitting_member(user: Any, case: Case) -> bool:
    seat = _seat(user, case)
    return has_role(user, Role.PANEL) and seat is not None and seat.sitting


def _panel_to_fill(user: Any, case: Case) -> str | None:
    panel = current_panel(case)
    if panel is None or panel_state.waiting_for(panel) == panel_state.Waiting.REPLACEMENT:
        return None
    return "The panel is complete: nobody has stood down."


def _seat_empty(user: Any, case: Case) -> str | None:
    if current_panel(case) is None:
        return "No panel has been convened yet."
    return _panel_to_fill(user, case)


def _not_declared(user: Any, case: Case) -> str | None:
    if panel_state.declaration(_seat(user, case)) is not None:
        return "You have already declared on this case."
    return None


def _view_awaited(user: Any, case: Case) -> str | None:
    seat = _seat(user, case)
    if not panel_state.cleared(seat):
        return "Declare that you have no conflict of interest before recording your view."
    panel = current_panel(case)
    if panel is not None and panel_state.viewed_this_round(seat, panel):
        return "You have recorded your view; it stands until the panel reconsiders."
    return None


def _panel_ready(user: Any, case: Case) -> str | None:
    panel = current_panel(case)
    return panel_state.not_ready_to_decide(panel) if panel is not None else None


def _signatory(user: Any, case: Case) -> bool:
    # The sign-off is an independent check (access.SignoffIndependent).
    return access.SignoffIndependent.allows(user, case)


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
    Action.SUGGEST_PANEL: Rule(
        _hr,
        "Only an HR adviser can ask for a suggested panel.",
        during=("convene", "decide"),
        ready=_panel_to_fill,
    ),
    Action.CONVENE_PANEL: Rule(_hr, "Only an HR adviser can convene a panel.", node="convene"),
    Action.REPLACE_MEMBERS: Rule(
        _hr,
        "Only an HR adviser can replace a panel member.",
        during=("decide",),
        ready=_seat_empty,
    ),
    Action.DECLARE: Rule(
        _sitting_member,
        "Only a sitting member of this case's panel can declare on it.",
        during=("decide",),
        ready=_not_declared,
    ),
    Action.RECORD_VIEW: Rule(
        _sitting_member,
        "Only a sitting member of this case's panel can record a view on it.",
        during=("decide",),
        ready=_view_awaited,
    ),
    Action.DECIDE: Rule(
        _chair,
        "Only the chair of this case's panel can record its decision.",
        node="decide",
        ready=_panel_ready,
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
    nodes = set(active_nodes)
    if rule.node is not None:
        return rule.node in nodes
    if rule.during:
        return bool(nodes.intersection(rule.during))
    return case.stage in rule.stages


def not_ready(action: Action, user: Any, case: Case) -> str | None:
    """Why ``action`` cannot happen yet on ``case`` (a 409), or None."""
    ready = RULES[action].ready
    return ready(user, case) if ready is not None else None


def available_actions(user: Any, case: Case, active_nodes: Iterable[str]) -> list[Action]:
    """The actions ``user`` may take on ``case`` now, in the flow's order."""
    nodes = set(active_nodes)
    return [
        a
        for a, rule in RULES.items()
        if applies(a, case, nodes) and rule.allowed(user, case) and not not_ready(a, user, case)
    ]
