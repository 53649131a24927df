"""Who may take the wellbeing actions, and when: their rules in the engine's table.

Both are records kept beside the flow (``workflow.engine.case_activity``
with ``stages``): they never move the case. They apply while the case is
under way (``Case.under_way``): open, or in a formal process not yet
concluded. A case in stage ``formal`` whose process has concluded is
refused as "no longer" (409), like a closed one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.roles import Role, has_role
from accounts.types import Viewer
from workflow.models import Stage
from workflow.rules import Action, Rule, hr_adviser, register_rules

if TYPE_CHECKING:
    from workflow.models import Case

UNDER_WAY_STAGES = (*Stage.open_values(), Stage.FORMAL)
NOT_UNDER_WAY = "The case is no longer under way: its process has concluded."


def _under_way(user: Viewer, case: Case) -> str | None:
    return None if case.under_way else NOT_UNDER_WAY


def hr_or_contact(user: Viewer, case: Case) -> bool:
    """An HR adviser on a case they did not refer, or the case's named
    wellbeing contact (who holds the HR or decision-maker role)."""
    if hr_adviser(user, case):
        return True
    return (
        user.is_authenticated
        and case.wellbeing_contact_id == user.pk
        and has_role(user, Role.HR, Role.DECISION_MAKER)
    )


WELLBEING_RULES: dict[Action, Rule] = {
    Action.SET_WELLBEING_CONTACT: Rule(
        hr_adviser,
        "Only an HR adviser can name the employee's wellbeing contact.",
        stages=UNDER_WAY_STAGES,
        ready=_under_way,
    ),
    Action.RECORD_CHECKIN: Rule(
        hr_or_contact,
        "Only an HR adviser or the employee's wellbeing contact can record a check-in.",
        stages=UNDER_WAY_STAGES,
        ready=_under_way,
    ),
}


def register() -> None:
    """Give the engine the wellbeing actions' rules (``WellbeingConfig.ready``)."""
    register_rules(WELLBEING_RULES)
