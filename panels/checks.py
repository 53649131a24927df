"""Checks a panel must pass before it is convened or completed (used by ``panels.services``)."""

from __future__ import annotations

from collections.abc import Sequence

from core.errors import ValidationFailed
from workflow.models import Case
from workflow.services.validation import Errors

from . import state
from .models import Panel, PanelMembership
from .rules import PanelRules, composition_errors
from .selectors import case_facts, line_managers, members_by_id


def user_ids(members: Sequence[int] | None) -> list[int]:
    if not all(isinstance(m, int) and not isinstance(m, bool) for m in members or []):
        raise ValidationFailed({"members": ["Give the panel members as user ids."]})
    return list(dict.fromkeys(members or []))


def check_panel(
    case: Case, member_ids: list[int], chair: int | None, *, sitting: frozenset[int] = frozenset()
) -> None:
    """Refuse, naming every rule broken, unless the panel may sit on ``case``."""
    managers = line_managers()
    facts = case_facts(case, managers=managers)
    panel = members_by_id(member_ids, managers=managers)
    errors = Errors()
    for reason in composition_errors(panel, chair, facts, PanelRules.current(), sitting=sitting):
        errors.add(reason.field, str(reason))
    errors.raise_if_any()


def check_replacements(
    case: Case,
    panel: Panel,
    new_ids: list[int],
    empty: list[PanelMembership],
    chair: int | None,
) -> None:
    errors = Errors()
    if len(new_ids) != len(empty):
        errors.add(
            "members",
            f"Name one replacement for each member who stood down: {len(empty)} "
            f"needed, {len(new_ids)} named.",
        )
    on_panel = {m.user_id for m in state.seats(panel)}
    if already := [i for i in new_ids if i in on_panel]:
        errors.add("members", f"Already on this panel: user ids {already}.")
    if chair is None:
        errors.add("chair", "The chair stood down: name the panel's new chair.")
    errors.raise_if_any()
    sitting = [m.user_id for m in state.sitting(panel)]
    check_panel(case, [*sitting, *new_ids], chair, sitting=frozenset(sitting))
