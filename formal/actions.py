"""Who may take the formal process's actions, and when: their rules in the engine's table.

HR advisers record every step (as they keep the case): the Acas Code has the
employer write to the employee at each step, and HR sends those letters.
The people the process names (investigator, hearing chair, appeal hearer)
see the case they are named on (``formal.participants``) but record nothing
here themselves: what they decide reaches the record through HR, which
keeps one hand on the order of the steps and their time limits. An HR
adviser who referred the case is its manager there and takes none of them
(``workflow.rules.hr_adviser``).

Each rule applies while the case is in stage ``formal`` and says, through
``ready`` (a 409), which step the process is waiting for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflow.models import Stage
from workflow.rules import Action, Rule, hr_adviser, register_rules

from .models import FormalProcess, InvestigationOutcome, Sanction

if TYPE_CHECKING:
    from accounts.types import Viewer
    from workflow.models import Case

FORMAL = (Stage.FORMAL.value,)


def process_of(case: Case) -> FormalProcess | None:
    """The case's process, read once per case object (the rules ask several times)."""
    cache = case.__dict__.setdefault("_ftp_formal", {})
    if "process" not in cache:
        cache["process"] = FormalProcess.objects.filter(case_id=case.pk).first()
    process: FormalProcess | None = cache["process"]
    return process


def remember(case: Case, process: FormalProcess | None) -> None:
    """Cache ``process`` on ``case`` (the service writing it keeps the case's
    copy current, so a rule or access check after the action reads what it wrote)."""
    case.__dict__["_ftp_formal"] = {"process": process}


def _open(case: Case) -> tuple[FormalProcess | None, str | None]:
    process = process_of(case)
    if process is None:
        return None, "This case has no formal process recorded here."
    if process.concluded_at is not None:
        return None, "The formal process has concluded."
    return process, None


def _investigation_open(user: Viewer, case: Case) -> str | None:
    process, why = _open(case)
    if process is None:
        return why
    if process.investigation_outcome:
        return "The investigation's outcome is recorded; the investigator can no longer be changed."
    return None


def _outcome_awaited(user: Viewer, case: Case) -> str | None:
    process, why = _open(case)
    if process is None:
        return why
    if process.investigator_id is None:
        return "Name the investigator first."
    if process.investigation_outcome:
        return "The investigation's outcome is already recorded."
    return None


def _hearing_to_arrange(user: Viewer, case: Case) -> str | None:
    process, why = _open(case)
    if process is None:
        return why
    if process.investigation_outcome != InvestigationOutcome.HEARING:
        return "A hearing follows an investigation whose outcome is a disciplinary hearing."
    if process.sanction:
        return "The hearing's outcome is already recorded."
    return None


def _hearing_outcome_awaited(user: Viewer, case: Case) -> str | None:
    why = _hearing_to_arrange(user, case)
    if why:
        return why
    process = process_of(case)
    if process is None or process.hearing_on is None:
        return "Arrange the hearing first."
    return None


def _appealable(user: Viewer, case: Case) -> str | None:
    process, why = _open(case)
    if process is None:
        return why
    if not process.sanction or process.sanction == Sanction.NONE:
        return "An appeal is against a sanction the hearing gave."
    if process.appeal_lodged_on is not None:
        return "An appeal is already recorded."
    return None


def _appeal_awaited(user: Viewer, case: Case) -> str | None:
    process, why = _open(case)
    if process is None:
        return why
    if process.appeal_lodged_on is None:
        return "No appeal is recorded."
    return None


def _concludable(user: Viewer, case: Case) -> str | None:
    process, why = _open(case)
    if process is None:
        return why
    if not process.sanction:
        return "The process concludes after the investigation's or the hearing's outcome."
    if process.appeal_lodged_on is not None:
        return "An appeal is under way: record its outcome."
    return None


_HR = "Only an HR adviser who did not refer the case can record the formal process."

FORMAL_RULES: dict[Action, Rule] = {
    Action.NAME_INVESTIGATOR: Rule(hr_adviser, _HR, stages=FORMAL, ready=_investigation_open),
    Action.RECORD_INVESTIGATION_OUTCOME: Rule(
        hr_adviser, _HR, stages=FORMAL, ready=_outcome_awaited
    ),
    Action.SCHEDULE_HEARING: Rule(hr_adviser, _HR, stages=FORMAL, ready=_hearing_to_arrange),
    Action.RECORD_HEARING_OUTCOME: Rule(
        hr_adviser, _HR, stages=FORMAL, ready=_hearing_outcome_awaited
    ),
    Action.LODGE_APPEAL: Rule(hr_adviser, _HR, stages=FORMAL, ready=_appealable),
    Action.RECORD_APPEAL_OUTCOME: Rule(hr_adviser, _HR, stages=FORMAL, ready=_appeal_awaited),
    Action.CONCLUDE_FORMAL: Rule(hr_adviser, _HR, stages=FORMAL, ready=_concludable),
}


def register() -> None:
    """Give the engine the formal process's rules (``FormalConfig.ready``)."""
    register_rules(FORMAL_RULES)
