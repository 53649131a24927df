"""Keep a case's step spells (``CaseStep``) in step with its flow.

Called by the engine and by ``referral_submit`` inside the action's
transaction, under the case lock, after the flow has moved.
"""

from __future__ import annotations

import datetime as dt

from .deadlines import due_on_for
from .flows import STAGE_OF_NODE
from .models import Case, CaseStep


def case_step_advance(*, case: Case, open_nodes: list[str], at: dt.datetime) -> CaseStep | None:
    """Close the case's open spell and open one for the step the flow now waits on.

    ``open_nodes`` are the flow's open human tasks after the action (at most
    one in this flow). Returns the new spell, or None when the case left the
    flow (formal, closed, withdrawn).
    """
    CaseStep.objects.filter(case=case, left_at__isnull=True).update(left_at=at)
    if not open_nodes or not case.is_open:
        return None
    node = open_nodes[0]
    return CaseStep.objects.create(
        case=case,
        step=node,
        stage=STAGE_OF_NODE[node],
        entered_at=at,
        due_on=due_on_for(node, at),
    )
