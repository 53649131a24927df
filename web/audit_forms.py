"""The explorer's search form: it shapes query-string input into EventFilters.

Checked at the door (``core.inputs``): text without control
characters, events and stages from their choices, dates from 2000 to 2100 (the
search adds a day to the end date, which past ``date.max`` would overflow).
"""

from __future__ import annotations

from django import forms

from audit.models import event_type_choices
from core.inputs import BoundedDateField, QueryForm, TextFilterField
from workflow.audit_selectors import EventFilters
from workflow.models import Stage


class EventFilterForm(QueryForm):
    case = TextFilterField(max_length=32, label="Case reference")
    actor = TextFilterField(max_length=150, label="Who (username)")
    action = forms.ChoiceField(
        required=False, choices=lambda: [("", "Any"), *event_type_choices()], label="Event"
    )
    stage = forms.ChoiceField(required=False, choices=[("", "Any"), *Stage.choices])
    date_from = BoundedDateField(label="From", widget=forms.DateInput({"type": "date"}))
    date_to = BoundedDateField(label="To", widget=forms.DateInput({"type": "date"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filters(self) -> EventFilters:
        """Call after ``is_valid()``."""
        return EventFilters(**self.cleaned_data)
