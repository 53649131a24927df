"""The wellbeing actions' forms (``wellbeing``): naming the contact and
recording a check-in. They shape input for the services, which decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from accounts.roles import Role, holders
from core.inputs import refuse_far_dates
from wellbeing.models import NOTES_MAX, CheckInHow

from .forms import YES_NO, ActionForm, yes_no

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"]
CONTACT_HELP = (
    "An HR adviser or decision-maker who checks in on the employee while the case is under way. "
    "Never the referring manager."
)


def contact_choices(first: tuple[str, str] | None = None) -> list[tuple[Any, str]]:
    """The trust's HR advisers and decision-makers (a few dozen at most); the
    service refuses the referring manager and the employee themself."""
    people = (
        (holders(Role.HR) | holders(Role.DECISION_MAKER))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
    choices: list[tuple[Any, str]] = [first] if first else []
    return choices + [(u.pk, u.get_full_name() or u.username) for u in people]


def contact_field(**kwargs: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="Wellbeing contact",
        coerce=int,
        empty_value=None,
        choices=[],
        help_text=CONTACT_HELP,
        **kwargs,
    )


class WellbeingContactForm(ActionForm):
    wellbeing_contact = contact_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.TypedChoiceField, self.fields["wellbeing_contact"])
        field.choices = contact_choices(("", "Choose someone"))


class CheckInForm(ActionForm):
    held_on = forms.DateField(
        label="Day of the check-in",
        input_formats=DATE_FORMATS,
        validators=[refuse_far_dates],
        error_messages={
            "required": "Give the day of the check-in.",
            "invalid": "Enter the date as day/month/year, for example 20/11/2026.",
        },
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"class": "ftp-date"}),
        help_text="For example 20/11/2026.",
    )
    how = forms.ChoiceField(label="How", choices=CheckInHow.choices, widget=forms.RadioSelect)
    declined = forms.ChoiceField(
        label="Did the employee decline contact?",
        choices=YES_NO,
        initial="no",
        widget=forms.RadioSelect,
        help_text="An offer declined is recorded too: the offer was made.",
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Seen by HR and the wellbeing contact only. Record only what is needed.",
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        data["declined"] = bool(yes_no(data["declined"]))
        return data


__all__ = ["CheckInForm", "WellbeingContactForm", "contact_choices", "contact_field"]
