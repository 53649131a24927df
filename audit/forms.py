"""The explorer's search form: it shapes query-string input into EventFilters."""

from __future__ import annotations

from django import forms

from workflow.models import Stage

from .models import event_type_choices
from .selectors import EventFilters


class EventFilterForm(forms.Form):
    case = forms.CharField(required=False, max_length=32, label="Case reference")
    actor = forms.CharField(required=False, max_length=150, label="Who (username)")
    action = forms.ChoiceField(
        required=False, choices=lambda: [("", "Any"), *event_type_choices()], label="Event"
    )
    stage = forms.ChoiceField(required=False, choices=[("", "Any"), *Stage.choices])
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput({"type": "date"})
    )
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput({"type": "date"}))

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def filters(self) -> EventFilters:
        """Call after ``is_valid()``."""
        return EventFilters(**self.cleaned_data)
