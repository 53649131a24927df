"""Forms for the employee's voice (voice/, docs/employee-account.md).

HR's three action forms (``ACTION_FORMS`` in ``web.cases``) and the
employee's own form on the public link page (``web.account_link``). They
shape input for the services in ``voice.services``; the rules live there.
"""

from __future__ import annotations

from typing import Any

from django import forms

from core.inputs import refuse_control_characters
from voice.models import ACCOUNT_TEXT_MAX, AccountSource, ToldMethod

from .forms import ActionForm, needed_when

DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"]
DATE_ERRORS = {"invalid": "Enter the date as day/month/year, for example 20/11/2026."}


def _date_field(label: str, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        error_messages={**DATE_ERRORS, "required": f"Enter {label.lower().rstrip('?')}."},
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"class": "ftp-date"}),
        help_text="Day/month/year, for example 20/11/2026.",
        **kwargs,
    )


class EmployeeToldForm(ActionForm):
    told_on = _date_field("The date they were told")
    method = forms.ChoiceField(
        label="How were they told?", choices=ToldMethod.choices, widget=forms.RadioSelect
    )


class AccountLinkForm(ActionForm):
    withdraw = forms.BooleanField(
        label="Only withdraw the open link (do not send a new one)",
        required=False,
        help_text="A new link always replaces the one before: only the newest works.",
    )


class AccountRecordForm(ActionForm):
    source = forms.ChoiceField(
        label="Where does the account come from?",
        choices=[(s.value, s.label) for s in (AccountSource.MEETING, AccountSource.UPLOAD)],
        widget=forms.RadioSelect,
    )
    text = needed_when(
        forms.CharField(
            label="The employee's account",
            required=False,
            max_length=ACCOUNT_TEXT_MAX,
            widget=forms.Textarea(attrs={"rows": 8}),
            help_text="In the employee's own words as far as possible. With an upload, "
            "an optional covering note.",
            validators=[refuse_control_characters],
        ),
        "when typed from a meeting",
    )
    meeting_on = needed_when(
        _date_field("The date of the meeting", required=False), "when typed from a meeting"
    )
    file = needed_when(
        forms.FileField(
            label="The document",
            required=False,
            help_text="PDF, Word, an image or plain text. HR and the panel can read it.",
        ),
        "when uploaded",
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        upload = data.pop("file", None)
        data["file_name"] = upload.name if upload else ""
        data["file_data"] = upload.read() if upload else None
        return data


class EmployeeAccountForm(forms.Form):
    """The employee's own form, on their link's page."""

    text = forms.CharField(
        label="Your account",
        required=False,
        max_length=ACCOUNT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="What happened, in your own words: anything you want the panel to know "
        "before it decides.",
        validators=[refuse_control_characters],
    )
    file = forms.FileField(
        label="Or attach a document (optional)",
        required=False,
        help_text="A PDF, a Word document (.docx) or a photo (PNG or JPEG).",
    )
