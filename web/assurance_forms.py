"""Forms of the self-assessment and action-plan pages (web/assurance.py).

They shape input for the services in ``assurance``; the rules live there.
Query strings go through ``QueryForm``s, so a bad one is a 400 naming it.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from assurance.access import owners
from assurance.documents import ALLOWED_TEXT, max_bytes, size_text
from assurance.models import (
    ALERT_KEY_MAX,
    ALERT_LEVELS,
    COMMITTEES,
    DEFAULT_COMMITTEE,
    EVIDENCE_MAX,
    GUIDANCE_MAX,
    SAID_MAX,
    TEXT_MAX,
    TITLE_MAX,
    ActionStatus,
    Indicator,
    QuestionSet,
    Rating,
)
from assurance.plans import ActionFields
from assurance.quarters import YEAR_MAX, YEAR_MIN
from core.inputs import BoundedDateField, QueryForm, refuse_control_characters
from core.paging import CursorField
from web.forms import needed_when

# Text typed into a box may hold line breaks and tabs, and no other control character.
_CONTROLS_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
QUARTERS = [
    (1, "Q1 (April to June)"),
    (2, "Q2 (July to September)"),
    (3, "Q3 (October to December)"),
    (4, "Q4 (January to March)"),
]


def refuse_controls_in_text(value: str) -> None:
    if _CONTROLS_BUT_LINES.search(value):
        raise ValidationError("Remove the control characters (such as NUL) from this text.")


def _text(label: str, max_length: int, *, required: bool = False, rows: int = 4, **kw: Any) -> Any:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        validators=[refuse_controls_in_text],
        **kw,
    )


class QuarterFields(QueryForm):
    year = forms.IntegerField(
        label="Year starting 1 April", min_value=YEAR_MIN, max_value=YEAR_MAX, required=False
    )
    quarter = forms.TypedChoiceField(
        label="Quarter", choices=[("", "Current"), *QUARTERS], coerce=int, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if (data.get("year") is None) != (data.get("quarter") in (None, "")):
            self.add_error("quarter", "Choose both the year and the quarter, or neither.")
        return data


class GridForm(QuarterFields):
    set = forms.ChoiceField(label="Question set", choices=QuestionSet.choices, required=False)


class QuestionSetForm(QueryForm):
    set = forms.ChoiceField(label="Question set", choices=QuestionSet.choices)


class QuestionForm(forms.Form):
    text = _text("Question", TEXT_MAX, required=True, rows=3)
    guidance = _text(
        "What good evidence looks like",
        GUIDANCE_MAX,
        help_text="Shown beside the question when answers are entered.",
    )


class QuestionEditForm(QuestionForm):
    position = forms.IntegerField(
        label="Position in the set",
        min_value=1,
        max_value=999,
        help_text="Moving a question does not make a new version.",
    )


class AnswerQuery(QueryForm):
    """Which answer: a question, an ICSU and a quarter (all required)."""

    question = forms.IntegerField(min_value=1, max_value=2**62)
    unit = forms.IntegerField(label="ICSU", min_value=1, max_value=2**62)
    year = forms.IntegerField(label="Year starting 1 April", min_value=YEAR_MIN, max_value=YEAR_MAX)
    quarter = forms.TypedChoiceField(label="Quarter", choices=QUARTERS, coerce=int)


class AnswerForm(forms.Form):
    rating = forms.ChoiceField(label="Rating", choices=Rating.choices, widget=forms.RadioSelect)
    evidence = _text("Evidence", EVIDENCE_MAX, rows=5)
    document = forms.FileField(
        label="Evidence document",
        required=False,
        help_text=f"{ALLOWED_TEXT}; at most {size_text(max_bytes())}. Replaces any document "
        "already attached.",
    )
    remove_document = forms.BooleanField(label="Remove the attached document", required=False)
    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Owner", queryset=None, empty_label=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["owner"]
        field.queryset = owners()


class ActionListForm(QueryForm):
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any"), *ActionStatus.choices], required=False
    )
    unit = forms.TypedChoiceField(label="ICSU", choices=[("", "Any")], coerce=int, required=False)
    committee = forms.ChoiceField(
        label="Reports to", choices=[("", "Any"), *COMMITTEES], required=False
    )
    overdue = forms.BooleanField(label="Overdue only", required=False)
    cursor = CursorField()

    def __init__(self, *args: Any, units: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["unit"]
        field.choices = [("", "Any"), *units]


class ActionForm(forms.Form):
    title = forms.CharField(
        label="Action", max_length=TITLE_MAX, validators=[refuse_control_characters]
    )
    org_unit = forms.TypedChoiceField(label="ICSU", coerce=int, required=False, empty_value=None)
    indicator = forms.ChoiceField(
        label="Indicator", choices=[("", "None"), *Indicator.choices], required=False
    )
    question = needed_when(
        forms.TypedChoiceField(
            label="Self-assessment question",
            coerce=int,
            required=False,
            empty_value=None,
            help_text="When the indicator is a self-assessment question.",
        ),
        "when the indicator is a self-assessment question",
    )
    alert_level = needed_when(
        forms.ChoiceField(
            label="Early-warning alert: level",
            choices=[("", "None"), *ALERT_LEVELS],
            required=False,
        ),
        "with a unit code or staff number",
    )
    alert_key = needed_when(
        forms.CharField(
            label="Early-warning alert: unit code or manager staff number",
            max_length=ALERT_KEY_MAX,
            required=False,
            validators=[refuse_control_characters],
            help_text="As in the early warning; checked against today's alerts and warnings.",
        ),
        "with a level",
    )
    owner: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label="Owner", queryset=None)
    due_on = BoundedDateField(
        label="Due on",
        required=True,
        help_text="As 31/03/2026 or 2026-03-31.",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"class": "ftp-date"}),
    )
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices)
    committee = forms.ChoiceField(label="Reports to", choices=COMMITTEES, initial=DEFAULT_COMMITTEE)
    you_said = _text("You said", SAID_MAX, help_text="What staff, a network or a committee raised.")
    we_did = _text("We did", SAID_MAX, help_text="What has been done about it.")

    def __init__(
        self,
        *args: Any,
        units: list[tuple[int, str]],
        questions: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["org_unit"].choices = [("", "None"), *units]
        fields["question"].choices = [("", "None"), *questions]
        fields["owner"].queryset = owners()

    def action_fields(self) -> ActionFields:
        data = self.cleaned_data
        return ActionFields(
            title=data["title"],
            owner_id=data["owner"].pk,
            due_on=data["due_on"],
            committee=data["committee"],
            status=data["status"],
            org_unit_id=data.get("org_unit"),
            indicator=data.get("indicator") or "",
            question_id=data.get("question"),
            alert_level=data.get("alert_level") or "",
            alert_key=(data.get("alert_key") or "").strip(),
            you_said=data.get("you_said") or "",
            we_did=data.get("we_did") or "",
        )
