"""Who may record the employee's voice on a case, and when: the rules of the
voice actions in the engine's table (``VoiceConfig.ready`` registers them).

All three are HR's, on a case they did not refer, at any open step before
the panel decides (triage, a return to the manager, informal resolution,
convening, the decision itself and a reconsideration after a declined
sign-off): the account is what the panel weighs, so after its decision it
is too late to add one through these actions. Each records something and
leaves the flow where it is (``workflow.engine.case_activity``).
"""

from __future__ import annotations

from workflow.models import Stage
from workflow.rules import Action, Rule, hr_adviser, register_rules

# The flow's steps before the panel's decision is recorded.
BEFORE_DECISION = ("triage", "resubmit", "informal", "convene", "decide")
# The stages those steps are in: where an employee's link still opens.
STAGES_BEFORE_DECISION = frozenset({Stage.SUBMITTED, Stage.INFORMAL, Stage.PANEL})

VOICE_RULES: dict[Action, Rule] = {
    Action.RECORD_EMPLOYEE_TOLD: Rule(
        hr_adviser,
        "Only an HR adviser can record that the employee was told of the referral.",
        during=BEFORE_DECISION,
    ),
    Action.ISSUE_ACCOUNT_LINK: Rule(
        hr_adviser,
        "Only an HR adviser can send the employee a link for their account.",
        during=BEFORE_DECISION,
    ),
    Action.RECORD_ACCOUNT: Rule(
        hr_adviser,
        "Only an HR adviser can add the employee's account.",
        during=BEFORE_DECISION,
    ),
}


def register() -> None:
    """Give the engine the voice actions' rules (``VoiceConfig.ready``)."""
    register_rules(VOICE_RULES)
