"""Who may take the panel stage's actions, and when: their rules in the engine's table.

The actions themselves are named in ``workflow.rules.Action`` (they are nodes
of the flow); what decides them is a fact of the panel (who sits, who chairs,
who declared, whose view is in), so their rules live here, with the panel
state they read, and ``PanelsConfig.ready`` registers them with the engine
(``register``). The engine checks them like its own, under the case lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.roles import Role, has_role
from accounts.types import Viewer
from workflow.rules import Action, Rule, hr_adviser, register_rules

from . import state
from .state import current_panel

if TYPE_CHECKING:
    from workflow.models import Case

    from .models import PanelMembership


def _seat(user: Viewer, case: Case) -> PanelMembership | None:
    panel = current_panel(case)
    return state.seat_of(panel, user.pk) if panel is not None and user.is_authenticated else None


def _chair(user: Viewer, case: Case) -> bool:
    panel = current_panel(case)
    return (
        has_role(user, Role.PANEL)
        and panel is not None
        and panel.chair_id == user.pk
        and state.chair_sits(panel)
    )


def _sitting_member(user: Viewer, case: Case) -> bool:
    seat = _seat(user, case)
    return has_role(user, Role.PANEL) and seat is not None and seat.sitting


def _panel_to_fill(user: Viewer, case: Case) -> str | None:
    panel = current_panel(case)
    if panel is None or state.waiting_for(panel) == state.Waiting.REPLACEMENT:
        return None
    return "The panel is complete: nobody has stood down."


def _seat_empty(user: Viewer, case: Case) -> str | None:
    if current_panel(case) is None:
        return "No panel has been convened yet."
    return _panel_to_fill(user, case)


def _not_declared(user: Viewer, case: Case) -> str | None:
    seat = _seat(user, case)
    if seat is not None and state.declaration(seat) is not None:
        return "You have already declared on this case."
    return None


def _view_awaited(user: Viewer, case: Case) -> str | None:
    seat = _seat(user, case)
    if not state.cleared(seat):
        return "Declare that you have no conflict of interest before recording your view."
    panel = current_panel(case)
    if seat is not None and panel is not None and state.viewed_this_round(seat, panel):
        return "You have recorded your view; it stands until the panel reconsiders."
    return None


def _panel_ready(user: Viewer, case: Case) -> str | None:
    panel = current_panel(case)
    return state.not_ready_to_decide(panel) if panel is not None else None


PANEL_RULES: dict[Action, Rule] = {
    Action.SUGGEST_PANEL: Rule(
        hr_adviser,
        "Only an HR adviser can ask for a suggested panel.",
        during=("convene", "decide"),
        ready=_panel_to_fill,
    ),
    Action.REPLACE_MEMBERS: Rule(
        hr_adviser,
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
}


def register() -> None:
    """Give the engine the rules of the panel stage's actions (``PanelsConfig.ready``)."""
    register_rules(PANEL_RULES)
