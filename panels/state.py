"""Where a convened panel stands: seats, declarations, views, what it waits for.

Pure reads over a panel's rows. They use what was prefetched when there is
one (the case page, the dashboards) and query otherwise (inside a service,
on the locked case). ``panels.actions`` asks these to decide who may act now,
and ``panels.participants`` to tell the engine who may see what.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.core.exceptions import ObjectDoesNotExist

from accounts.types import Actor

from .models import Declaration, Panel, PanelMembership, PanelView
from .rules import PanelRules

if TYPE_CHECKING:
    from workflow.models import Case


class Waiting(enum.StrEnum):
    """What a convened panel is waiting for, in the order it must happen."""

    REPLACEMENT = "replacement"  # someone stood down: HR names a replacement (and chair)
    DECLARATIONS = "declarations"
    VIEWS = "views"
    DECISION = "decision"

    @property
    def label(self) -> str:
        return {
            Waiting.REPLACEMENT: "A member stood down: HR must replace them",
            Waiting.DECLARATIONS: "Waiting on declarations of interest",
            Waiting.VIEWS: "Waiting on members' views",
            Waiting.DECISION: "Waiting on the chair's decision",
        }[self]


def current_panel(case: Case) -> Panel | None:
    """The latest panel convened on the case (uses a prefetched list if present)."""
    panels = list(case.panels.all())
    return max(panels, key=lambda p: (p.convened_at, p.pk)) if panels else None


def panel_member_ids(case: Case) -> set[int]:
    """Everyone who held a seat on any of the case's panels, whatever became of it."""
    return {m.user_id for p in case.panels.all() for m in p.memberships.all()}


def seats(panel: Panel) -> list[PanelMembership]:
    return sorted(panel.memberships.all(), key=lambda m: m.pk)


def seat_of(panel: Panel, user_id: int) -> PanelMembership | None:
    """The user's seat on the panel (one at most: a person sits once)."""
    return next((m for m in seats(panel) if m.user_id == user_id), None)


def sitting(panel: Panel) -> list[PanelMembership]:
    return [m for m in seats(panel) if m.sitting]


def declaration(seat: PanelMembership) -> Declaration | None:
    try:
        return seat.declaration
    except ObjectDoesNotExist:
        return None


def cleared(seat: PanelMembership | None) -> bool:
    """Declared no conflict: may see the case and record a view."""
    made = declaration(seat) if seat is not None else None
    return made is not None and made.no_conflict


def decision_round(panel: Panel) -> int:
    """Decisions the panel has made so far: 0 until the first, 1 after a declined sign-off."""
    return len(panel.decisions.all())


def latest_view(seat: PanelMembership) -> PanelView | None:
    views = list(seat.views.all())
    return max(views, key=lambda v: (v.round, v.pk)) if views else None


def viewed_this_round(seat: PanelMembership, panel: Panel) -> bool:
    return any(v.round == decision_round(panel) for v in seat.views.all())


def vacancies(panel: Panel) -> list[PanelMembership]:
    """Seats whose member stood down and that no replacement fills yet."""
    filled = {m.replaces_id for m in seats(panel) if m.replaces_id}
    return [m for m in seats(panel) if not m.sitting and m.pk not in filled]


def chair_sits(panel: Panel) -> bool:
    seat = seat_of(panel, panel.chair_id)
    return seat is not None and seat.sitting


def views_recorded(panel: Panel) -> int:
    """Sitting members with a view on record (a view stands until they record
    a fresh one, so after a declined sign-off the earlier views still count)."""
    return sum(1 for m in sitting(panel) if latest_view(m) is not None)


def views_needed(panel: Panel, rules: PanelRules | None = None) -> int:
    return (rules or PanelRules.current()).views_needed(len(sitting(panel)))


def waiting_for(panel: Panel, rules: PanelRules | None = None) -> Waiting:
    if vacancies(panel) or not chair_sits(panel):
        return Waiting.REPLACEMENT
    if any(declaration(m) is None for m in sitting(panel)):
        return Waiting.DECLARATIONS
    if views_recorded(panel) < views_needed(panel, rules):
        return Waiting.VIEWS
    return Waiting.DECISION


def not_ready_to_decide(panel: Panel) -> str | None:
    """Why the chair may not record the decision yet, or None."""
    if vacancies(panel) or not chair_sits(panel):
        return "A member has stood down: HR must name a replacement before the panel decides."
    if not cleared(seat_of(panel, panel.chair_id)):
        return "Declare that you have no conflict of interest before recording the decision."
    have, need = views_recorded(panel), views_needed(panel)
    if have < need:
        return f"The panel needs {need} members' views before deciding; {have} recorded so far."
    return None


TODO_DECLARE = "Declare any conflict of interest"
TODO_VIEW = "Record your view"
TODO_FRESH_VIEW = "Reconsidering after a declined sign-off: you may record a fresh view"
TODO_DECIDE = "Record the panel's decision"
ACTIONABLE = {TODO_DECLARE, TODO_VIEW, TODO_FRESH_VIEW, TODO_DECIDE}


def member_todo(panel: Panel, user: Actor) -> str:
    """What the panel needs from ``user`` now, in a few words."""
    seat = seat_of(panel, user.pk)
    if seat is None:
        return ""
    if not seat.sitting:
        return "Stood down (declared a conflict of interest)"
    if declaration(seat) is None:
        return TODO_DECLARE
    if latest_view(seat) is None:
        return TODO_VIEW
    waiting = waiting_for(panel)
    if panel.chair_id == user.pk and waiting == Waiting.DECISION:
        return TODO_DECIDE
    if not viewed_this_round(seat, panel):
        return TODO_FRESH_VIEW
    return waiting.label
