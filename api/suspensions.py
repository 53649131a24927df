"""Request shapes of the suspension register's actions (``suspensions``), and
the case detail's ``suspension`` part: the active measure's kind and dates,
for those ``workflow.access.SuspensionVisible`` allows (null for everyone
else, exactly as for a case with no active measure: the field itself gives
nothing away). Never the reason."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.types import Viewer
from core.inputs import refuse_far_dates
from suspensions.models import ReviewDecision, SuspensionKind
from suspensions.selectors import active_suspension
from workflow import access
from workflow.models import Case

from .common import ActionRequest, text_field


class RecordSuspensionRequest(ActionRequest):
    kind = serializers.ChoiceField(choices=SuspensionKind.choices)
    reason = text_field(
        help_text="Why the measure is needed. Seen by HR and independent decision-makers "
        "only; the audit log keeps its SHA-256."
    )
    decided_by = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The user id of the decision-maker who decided it; not the referring manager.",
    )
    started_on = serializers.DateField(
        validators=[refuse_far_dates], help_text="Today or earlier; not before the referral."
    )


class ReviewSuspensionRequest(ActionRequest):
    reviewed_on = serializers.DateField(validators=[refuse_far_dates])
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    reason = text_field()


class LiftSuspensionRequest(ActionRequest):
    lifted_on = serializers.DateField(validators=[refuse_far_dates])
    reason = text_field()


class SuspensionOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SuspensionKind.choices)
    started_on = serializers.DateField()
    review_due_on = serializers.DateField()


def suspension_out(user: Viewer, case: Case) -> dict[str, Any] | None:
    """The case's active measure for ``user``, or None (none, or not theirs to see)."""
    if not access.SuspensionVisible.allows(user, case):
        return None
    measure = active_suspension(case)
    if measure is None:
        return None
    return {
        "kind": measure.kind,
        "started_on": measure.started_on,
        "review_due_on": measure.review_due_on,
    }
