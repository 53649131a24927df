"""Forms for the formal process's actions (formal/). They shape input for
``formal.services``; the rules (who may be named, the order of the steps)
live there and in ``panels.rules.independence``."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from formal.models import AppealOutcome, InvestigationOutcome, Sanction
from formal.selectors import staff_users
from panels.models import CompanionRole
from web.forms import ActionForm, UserChoice

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"]
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
INDEPENDENT = (
    "Someone independent of the case: not its referring manager, HR adviser at triage, "
    "panel member or chair, or sign-off, and not in the employee's line chain or department. "
    "Anyone else is refused with the rule named."
)


def _person(label: str, help_text: str) -> UserChoice:
    return UserChoice(
        label=label,
        queryset=staff_users().none(),
        empty_label="Choose a person",
        help_text=help_text,
        error_messages={"invalid_choice": "Choose an active member of staff from the list."},
    )


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Give a date, such as 05/12/2026."},
    )


class _NamesSomeone(ActionForm):
    person_field = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(UserChoice, self.fields[self.person_field]).queryset = staff_users()


class NameInvestigatorForm(_NamesSomeone):
    person_field = "investigator"
    investigator = _person("Investigator", INDEPENDENT)


class InvestigationOutcomeForm(ActionForm):
    outcome = forms.ChoiceField(
        label="The investigation's outcome",
        choices=InvestigationOutcome.choices,
        widget=forms.RadioSelect,
        help_text="No case to answer and informal action conclude the formal process.",
    )
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The investigator's findings in brief. Kept on the case's formal record.",
    )


class ScheduleHearingForm(_NamesSomeone):
    person_field = "chair"
    hearing_on = forms.DateTimeField(
        label="Hearing date and time",
        input_formats=DATETIME_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="UK time.",
        error_messages={"invalid": "Give a date and time, such as 05/12/2026 10:00."},
    )
    chair = _person(
        "Who chairs the hearing", f"{INDEPENDENT} Not the investigator (Acas Code para 6)."
    )
    accompaniment_told = forms.BooleanField(
        label="The employee has been told in writing of their right to be accompanied",
        required=False,
        help_text="By a trade union representative or official, or a work colleague "
        "(Employment Relations Act 1999 s.10).",
    )
    companion_name = forms.CharField(
        label="Companion's name", required=False, max_length=200, help_text="If known."
    )
    companion_role = forms.ChoiceField(
        label="Companion's role",
        required=False,
        choices=[("", "Not known yet"), *CompanionRole.choices],
    )


class HearingOutcomeForm(ActionForm):
    held_on = _date("Day the hearing was held")
    companion_name = forms.CharField(
        label="Who accompanied the employee",
        required=False,
        max_length=200,
        help_text="Leave blank if nobody did.",
    )
    sanction = forms.ChoiceField(
        label="Sanction", choices=Sanction.choices, widget=forms.RadioSelect
    )
    detail = forms.CharField(
        label="Detail",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the sanction is and for how long. Needed for any sanction.",
    )


class LodgeAppealForm(_NamesSomeone):
    person_field = "hearer"
    lodged_on = _date("Day the appeal was lodged")
    grounds = forms.CharField(label="Grounds of appeal", widget=forms.Textarea(attrs={"rows": 4}))
    hearer = _person(
        "Who hears the appeal",
        "Someone not previously involved in the case in any part, including the investigation "
        "and the hearing (Acas Code para 27); more senior where possible.",
    )


class AppealOutcomeForm(ActionForm):
    outcome = forms.ChoiceField(
        label="The appeal's outcome",
        choices=AppealOutcome.choices,
        widget=forms.RadioSelect,
        help_text="The appeal's decision is final: the formal process concludes.",
    )


class ConcludeFormalForm(ActionForm):
    """No fields: the service checks there is a sanction and no appeal."""
