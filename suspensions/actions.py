"""Who may take the register's actions, and when: their rules in the engine's table.

HR advisers record, review and lift a measure, on a case they may see the
register of (``workflow.access.SuspensionVisible``: not one they referred,
not one whose panel they sit on), while the case is under way (open, or in
a formal process not yet concluded). Recording needs no active measure;
reviewing and lifting need one. None of them moves the flow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.roles import Role, has_role
from workflow import access
from workflow.models import Stage
from workflow.rules import Action, Rule, register_rules

from .selectors import active_suspension

if TYPE_CHECKING:
    from accounts.types import Viewer
    from workflow.models import Case

# The stages a measure may be recorded in; the formal stage only until the
# formal process concludes (``_under_way``).
STAGES = (*Stage.open_values(), Stage.FORMAL.value)


def register_keeper(user: Viewer, case: Case) -> bool:
    """An HR adviser who may see the case's register."""
    return has_role(user, Role.HR) and access.SuspensionVisible.allows(user, case)


def _under_way(case: Case) -> str | None:
    if not case.under_way:
        return "The case's formal process has concluded: no measure can be recorded on it now."
    return None


def _none_active(user: Viewer, case: Case) -> str | None:
    if why := _under_way(case):
        return why
    if active_suspension(case) is not None:
        return (
            "This case already has an active suspension or restriction: "
            "review or lift it before recording another."
        )
    return None


def _one_active(user: Viewer, case: Case) -> str | None:
    if active_suspension(case) is None:
        return "There is no active suspension or restriction on this case."
    return None


REFUSAL = "Only an HR adviser who did not refer the case and is not on its panel can do this."

SUSPENSION_RULES: dict[Action, Rule] = {
    Action.RECORD_SUSPENSION: Rule(register_keeper, REFUSAL, stages=STAGES, ready=_none_active),
    Action.REVIEW_SUSPENSION: Rule(register_keeper, REFUSAL, stages=STAGES, ready=_one_active),
    Action.LIFT_SUSPENSION: Rule(register_keeper, REFUSAL, stages=STAGES, ready=_one_active),
}


def register() -> None:
    """Give the engine the register's rules (``SuspensionsConfig.ready``)."""
    register_rules(SUSPENSION_RULES)
