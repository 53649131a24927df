"""The stage indicator on every case page: where the case has been, where it
is now (``aria-current="step"``) and what comes next. (The open step's due
date is shown beside it by ``notifications``' ``case_due`` tag.)
"""

from __future__ import annotations

from dataclasses import dataclass

from workflow.models import Case, Stage

ROUTE = [Stage.SUBMITTED, Stage.INFORMAL, Stage.PANEL, Stage.SIGNOFF]


@dataclass(frozen=True)
class StageStep:
    label: str
    state: str  # "done", "current", "skipped" or "to come"


def stage_steps(case: Case) -> list[StageStep]:
    """The route every case can take, marked against this case's own path.

    A stage the case never entered (HR may send a referral straight to the
    panel; informal resolution may close it) shows as skipped, not done."""
    visited = set(case.steps.values_list("stage", flat=True)) | {case.stage, Stage.SUBMITTED}
    end = case.stage if case.stage in (Stage.FORMAL, Stage.CLOSED) else None
    steps: list[StageStep] = []
    passed = True
    for stage in ROUTE:
        if stage == case.stage:
            steps.append(StageStep(Stage(stage).label, "current"))
            passed = False
        elif passed or end:
            steps.append(StageStep(Stage(stage).label, "done" if stage in visited else "skipped"))
        else:
            steps.append(StageStep(Stage(stage).label, "to come"))
    label = Stage(end).label if end else "Formal investigation or closed"
    steps.append(StageStep(label, "current" if end else "to come"))
    return steps
