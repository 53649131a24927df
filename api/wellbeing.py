"""Request shapes of the wellbeing actions (``wellbeing``), and the case
detail's ``wellbeing`` part for those ``workflow.access.WellbeingVisible``
allows."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.types import Viewer
from core.inputs import refuse_far_dates
from wellbeing.models import NOTES_MAX, CheckInHow
from wellbeing.selectors import wellbeing_card_for
from workflow.models import Case

from .common import ActionRequest


def _user_id(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text=help_text)


class WellbeingContactRequest(ActionRequest):
    wellbeing_contact = _user_id(
        "The user id of the new wellbeing contact: an HR adviser or decision-maker of the "
        "trust, not the referring manager nor the employee."
    )


class CheckInRequest(ActionRequest):
    held_on = serializers.DateField(validators=[refuse_far_dates])
    how = serializers.ChoiceField(choices=CheckInHow.choices)
    declined = serializers.BooleanField(
        required=False, default=False, help_text="The employee declined contact."
    )
    notes = serializers.CharField(
        max_length=NOTES_MAX,
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="For HR and the wellbeing contact only; the audit log keeps its SHA-256.",
    )


def wellbeing_out(user: Viewer, case: Case) -> dict[str, Any] | None:
    """The case's wellbeing summary for ``user``, or None if they may not see it."""
    card = wellbeing_card_for(user, case, with_services=False)
    if card is None:
        return None
    last = card.last_checkin
    return {
        "contact": case.wellbeing_contact_id,
        "last_checkin_on": last.held_on if last is not None else None,
        "next_due_on": card.due_on,
        "overdue": card.overdue,
    }


class WellbeingOut(serializers.Serializer):
    contact = serializers.IntegerField(
        allow_null=True, help_text="The user id of the employee's wellbeing contact."
    )
    last_checkin_on = serializers.DateField(allow_null=True)
    next_due_on = serializers.DateField(
        allow_null=True, help_text="When the next check-in is due; null once the case is over."
    )
    overdue = serializers.BooleanField()
