"""The case pages' own query-string forms (the checks are ``core.inputs``')."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core.inputs import PageField, QueryForm, TextFilterField
from core.paging import CursorField
from panels.selectors import panel_group_keys
from workflow.models import Outcome, Stage
from workflow.selectors import CASE_LIST_DEFAULT_SORT, CASE_LIST_SORTS, CASE_SEARCH_MAX_LENGTH


class CaseListFilterForm(QueryForm):
    """The case list's filters. The department is a code (the list offers the
    departments, but a code that names none simply finds nothing)."""

    stage = forms.ChoiceField(required=False, choices=[("", "Any"), *Stage.choices])
    outcome = forms.ChoiceField(required=False, choices=[("", "Any"), *Outcome.choices])
    org_unit = TextFilterField(max_length=32, label="Department")
    # "My cases as owner": the cases the viewer is the named HR owner of.
    owner = forms.ChoiceField(
        required=False,
        label="Owner",
        choices=[("", "Anyone"), ("me", "My cases as owner")],
        error_messages={"invalid_choice": "The owner filter is owner=me (my cases as owner)."},
    )
    # One box for a reference, an employee's name or staff number, or the
    # referring manager's name (workflow.selectors.case_search_q).
    q = TextFilterField(max_length=CASE_SEARCH_MAX_LENGTH, label="Search")
    sort = forms.ChoiceField(
        required=False,
        label="Sort",
        choices=[("", "Newest first"), *((key, key) for key in CASE_LIST_SORTS)],
        error_messages={
            "invalid_choice": "The list can be sorted by submitted date, reference or employee "
            "(for example sort=reference, or sort=-reference for the reverse)."
        },
    )
    # Keyset paging (core.paging): the page starts after the row the cursor names.
    cursor = CursorField()

    def clean_q(self) -> str:
        # Spaces around or between words do not change what is searched for.
        return " ".join(str(self.cleaned_data.get("q") or "").split())

    def filters(self) -> dict[str, str | None]:
        """The filters that were set (blank means any), as the selector takes them."""
        return {k: self.cleaned_data.get(k) or None for k in ("stage", "org_unit", "outcome")}

    def owned(self) -> bool:
        """Whether only the viewer's own cases as HR owner are asked for."""
        return self.cleaned_data.get("owner") == "me"

    def sort_key(self) -> str:
        """The order asked for (``CASE_LIST_SORTS``), newest first if none."""
        return str(self.cleaned_data.get("sort") or CASE_LIST_DEFAULT_SORT)

    def kept(self) -> dict[str, str]:
        """What a link from this page keeps (filters, search and sort), only
        those that were set, in a fixed order; never the page's cursor."""
        keep = {**self.filters(), "owner": self.cleaned_data.get("owner") or None}
        keep["q"] = self.cleaned_data.get("q") or None
        keep["sort"] = self.cleaned_data.get("sort") or None
        return {k: v for k, v in keep.items() if v}


class PanelPrefillForm(QueryForm):
    """A suggested panel carried into the convene or replace form
    (``?members=1&members=2&chair=1``): user ids, nothing else."""

    # Read with getlist (the widget); checked in clean_members.
    members = forms.Field(required=False, widget=forms.MultipleHiddenInput, label="Panel members")
    chair = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1, label="Chair")

    def clean_members(self) -> list[int]:
        ids: list[int] = []
        for value in self.cleaned_data.get("members") or []:
            # ASCII digits only: str.isdigit() also admits "²", which int() refuses.
            if not (value.isascii() and value.isdigit() and 0 < len(value) <= 10):
                raise ValidationError("Members are chosen by their number in the list.")
            if not 1 <= int(value) <= 2**31 - 1:
                raise ValidationError("Members are chosen by their number in the list.")
            ids.append(int(value))
        return ids

    def initial_values(self) -> dict[str, Any]:
        """The form's starting members and chair, as the form's fields expect them."""
        data = self.cleaned_data
        members = [str(i) for i in data.get("members") or []]
        chair = data.get("chair")
        return {"members": members, **({"chair": str(chair)} if chair else {})}


class CursorForm(QueryForm):
    """A keyset-paged list's one parameter: where the page starts (``core.paging``)."""

    cursor = CursorField()


class PanelsPageForm(QueryForm):
    """HR's panels dashboard: each group of panels has its own page number
    (``?views=2``); the groups are few hundred cases at most, so numbers serve."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in panel_group_keys():
            self.fields[key] = PageField(label=f"Page of “{label}”")

    def pages(self) -> dict[str, int]:
        return {k: v for k, v in self.cleaned_data.items() if isinstance(v, int)}
