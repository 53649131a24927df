"""The formal process in the API (formal/): each action's request body, and
the ``formal`` object of a case's detail for those ``access.FormalVisible``
allows (null for anyone else, and for a case without a process)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from formal.models import AppealOutcome, InvestigationOutcome, Sanction
from formal.selectors import formal_card_for
from panels.models import CompanionRole
from workflow.selectors import CaseView

from .common import ActionRequest, UserOut, user_out
from .common import text_field as _text

_USER_ID = {"min_value": 1, "max_value": 2**31 - 1}


class NameInvestigatorRequest(ActionRequest):
    investigator = serializers.IntegerField(
        help_text="The investigator's user id: not previously involved, no conflict.", **_USER_ID
    )


# Named apart from the panel's ``outcome`` (the schema's enums are named by
# field); the service still receives ``outcome``.
class InvestigationOutcomeRequest(ActionRequest):
    investigation_outcome = serializers.ChoiceField(
        choices=InvestigationOutcome.choices, source="outcome"
    )
    reason = _text()


class ScheduleHearingRequest(ActionRequest):
    hearing_on = serializers.DateTimeField()
    chair = serializers.IntegerField(
        help_text="Who chairs the hearing: not previously involved, not the investigator.",
        **_USER_ID,
    )
    accompaniment_told = serializers.BooleanField(
        help_text="The employee was told of their right to be accompanied: must be true."
    )
    companion_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    companion_role = serializers.ChoiceField(
        choices=CompanionRole.choices, required=False, allow_blank=True, default=""
    )


class HearingOutcomeRequest(ActionRequest):
    held_on = serializers.DateField()
    sanction = serializers.ChoiceField(choices=Sanction.choices)
    detail = _text(required=False, allow_blank=True, default="")
    companion_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )


class LodgeAppealRequest(ActionRequest):
    lodged_on = serializers.DateField()
    grounds = _text()
    hearer = serializers.IntegerField(
        help_text="Who hears the appeal: nobody previously involved in any part.", **_USER_ID
    )


class AppealOutcomeRequest(ActionRequest):
    appeal_outcome = serializers.ChoiceField(choices=AppealOutcome.choices, source="outcome")


class ConcludeFormalRequest(ActionRequest):
    pass


class FormalSpellOut(serializers.Serializer):
    step = serializers.CharField()
    entered_at = serializers.DateTimeField()
    due_on = serializers.DateField(allow_null=True)
    left_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()


class FormalOut(serializers.Serializer):
    stage = serializers.ChoiceField(
        choices=["investigation", "hearing", "sanctioned", "appeal", "concluded"]
    )
    opened_at = serializers.DateTimeField()
    investigator = UserOut(allow_null=True)
    investigator_named_at = serializers.DateTimeField(allow_null=True)
    investigation_outcome = serializers.CharField(allow_blank=True)
    outcome_recorded_at = serializers.DateTimeField(allow_null=True)
    outcome_reason = serializers.CharField(allow_blank=True)
    hearing_on = serializers.DateTimeField(allow_null=True)
    hearing_chair = UserOut(allow_null=True)
    hearing_companion_name = serializers.CharField(allow_blank=True)
    hearing_held_on = serializers.DateField(allow_null=True)
    sanction = serializers.CharField(allow_blank=True)
    sanction_detail = serializers.CharField(allow_blank=True)
    sanction_recorded_at = serializers.DateTimeField(allow_null=True)
    appeal_lodged_on = serializers.DateField(allow_null=True)
    appeal_grounds = serializers.CharField(allow_blank=True)
    appeal_hearer = UserOut(allow_null=True)
    appeal_outcome = serializers.CharField(allow_blank=True)
    appeal_decided_at = serializers.DateTimeField(allow_null=True)
    concluded_at = serializers.DateTimeField(allow_null=True)
    steps = FormalSpellOut(many=True)


def formal_out(view: CaseView) -> dict[str, Any] | None:
    """The ``formal`` object of a case's detail (``access.FormalVisible``)."""
    card = formal_card_for(view.viewer, view._case)
    if card is None:
        return None
    p = card.process
    return {
        "stage": card.stage,
        "opened_at": p.opened_at,
        "investigator": user_out(p.investigator),
        "investigator_named_at": p.investigator_named_at,
        "investigation_outcome": p.investigation_outcome,
        "outcome_recorded_at": p.outcome_recorded_at,
        "outcome_reason": p.outcome_reason,
        "hearing_on": p.hearing_on,
        "hearing_chair": user_out(p.hearing_chair),
        "hearing_companion_name": p.hearing_companion_name,
        "hearing_held_on": p.hearing_held_on,
        "sanction": p.sanction,
        "sanction_detail": p.sanction_detail,
        "sanction_recorded_at": p.sanction_recorded_at,
        "appeal_lodged_on": p.appeal_lodged_on,
        "appeal_grounds": p.appeal_grounds,
        "appeal_hearer": user_out(p.appeal_hearer),
        "appeal_outcome": p.appeal_outcome,
        "appeal_decided_at": p.appeal_decided_at,
        "concluded_at": p.concluded_at,
        "steps": [
            {
                "step": s.step,
                "entered_at": s.entered_at,
                "due_on": s.due_on,
                "left_at": s.left_at,
                "overdue": s.overdue,
            }
            for s in card.spells
        ],
    }
