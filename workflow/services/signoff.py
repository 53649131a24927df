"""The senior decision-maker's sign-off before any formal investigation."""

from __future__ import annotations

from django.utils import timezone

from accounts.types import Actor
from core.errors import Conflict

from ..engine import case_action
from ..models import Case, Outcome, SignOff
from ..participants import participants
from ..rules import Action
from .validation import Errors


def case_signoff(
    *,
    case_id: int,
    actor: Actor,
    approve: bool | None,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """Approve (formal investigation commissioned) or decline (back to the
    panel to reconsider), each with a written reason: commissioning a formal
    investigation is the weightiest step a case can take, so the record says
    why as it does for a refusal."""
    with case_action(
        case_id=case_id, actor=actor, action=Action.SIGNOFF, expected_version=expected_version
    ) as act:
        errors = Errors()
        if not isinstance(approve, bool):
            errors.add("approve", "Say whether you approve a formal investigation.")
        if approve is False:
            reason = errors.require_text("reason", reason, "the reason for declining")
        elif approve is True:
            reason = errors.require_text(
                "reason", reason, "the reason for approving a formal investigation"
            )
        errors.raise_if_any()
        case = act.case
        decision = participants().latest_decision(case)
        if decision is None or decision.outcome != Outcome.FORMAL_INVESTIGATION:
            raise Conflict("There is no panel proposal of formal investigation to sign off.")
        SignOff.objects.create(
            case=case,
            decision_id=decision.pk,
            approved=bool(approve),
            reason=(reason or "").strip(),
            signed_by=actor,
            signed_at=timezone.now(),
        )
        if not approve:
            case.outcome = ""
        act.reason = (reason or "").strip()
        act.payload = {"approve": approve, "decision_id": decision.pk}
    return act.case
