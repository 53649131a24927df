"""Forms for the suspension register's actions. They shape input for
``suspensions.services``; the rules (who decided, which dates) live there,
and a refusal comes back onto the form with what was typed kept."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.roles import Role, holders
from core.inputs import refuse_far_dates
from suspensions.models import ReviewDecision, SuspensionKind
from web.forms import ActionForm, UserChoice

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"]
DATE_ERROR = "Enter the date as day/month/year, for example 20/11/2026."
REASON_HELP = (
    "Kept on the register, which only HR and decision-makers independent of the case see. "
    "Record health details only where the decision needs them."
)


def _date_field(label: str, help_text: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        validators=[refuse_far_dates],
        error_messages={"invalid": DATE_ERROR, "required": f"Give {label.lower()}."},
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"class": "ftp-date"}),
        help_text=help_text,
    )


def _today() -> dt.date:
    return timezone.localdate()


class RecordSuspensionForm(ActionForm):
    kind = forms.ChoiceField(
        label="What was decided?", choices=SuspensionKind.choices, widget=forms.RadioSelect
    )
    decided_by = UserChoice(
        label="Decided by",
        queryset=get_user_model().objects.none(),
        empty_label="Choose the decision-maker",
        help_text="The senior decision-maker who decided it; never the referring manager.",
    )
    started_on = _date_field("The day it started", "Today or earlier, for example 20/11/2026.")
    reason = forms.CharField(
        label="Why it is needed", widget=forms.Textarea(attrs={"rows": 4}), help_text=REASON_HELP
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(UserChoice, self.fields["decided_by"]).queryset = holders(
            Role.DECISION_MAKER
        ).order_by("last_name", "first_name", "username")
        self.fields["started_on"].initial = _today()

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        data["decided_by"] = data["decided_by"].pk
        return data


class ReviewSuspensionForm(ActionForm):
    reviewed_on = _date_field("The day of the review", "Today or earlier.")
    decision = forms.ChoiceField(
        label="Decision",
        choices=[
            (ReviewDecision.CONTINUE, "Continue it until the next review"),
            (ReviewDecision.LIFT, "Lift it"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 4}), help_text=REASON_HELP
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewed_on"].initial = _today()


class LiftSuspensionForm(ActionForm):
    lifted_on = _date_field("The day it was lifted", "Today or earlier.")
    reason = forms.CharField(
        label="Why it is lifted", widget=forms.Textarea(attrs={"rows": 3}), help_text=REASON_HELP
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lifted_on"].initial = _today()
