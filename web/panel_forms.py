"""Forms for the panel members' and HR's panel actions. They shape input for
``panels.services``; the rules live there."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from accounts.types import Actor
from panels.models import PANEL_OUTCOME_CHOICES
from web.forms import ActionForm, UserChoice, UsersChoice, needed_when, yes_no


def _pool_users() -> QuerySet[Actor]:
    """Everyone in the panel pool; the service refuses whoever may not sit."""
    return (
        get_user_model()
        .objects.filter(is_active=True, pool_member__isnull=False)
        .order_by("last_name", "first_name", "username")
    )


class DeclareForm(ActionForm):
    no_conflict = forms.ChoiceField(
        label="Do you have a conflict of interest with this case?",
        choices=[
            ("yes", "No: I have no conflict of interest with the people involved"),
            ("no", "Yes: I have a conflict of interest (you will be stood down)"),
        ],
        widget=forms.RadioSelect,
        help_text="For example: a friend or relative, someone you manage or are managed by, "
        "someone you are in a dispute with, or a case you already know about.",
    )
    reason = needed_when(
        forms.CharField(
            label="If you have a conflict: its nature",
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text="Only HR sees this.",
        ),
        "when you have a conflict",
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        data["no_conflict"] = yes_no(data["no_conflict"])
        return data


class ViewForm(ActionForm):
    outcome = forms.ChoiceField(
        label="Your view of the outcome", choices=PANEL_OUTCOME_CHOICES, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Your reasons. Views are kept as recorded, including any dissent.",
    )


class ReplaceMembersForm(ActionForm):
    members = UsersChoice(
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="One replacement for each member who stood down.",
    )
    chair = needed_when(
        UserChoice(
            queryset=get_user_model().objects.none(),
            required=False,
            help_text="Only if the chair stood down: a sitting member or a replacement.",
        ),
        "if the chair stood down",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(UsersChoice, self.fields["members"]).queryset = _pool_users()
        cast(UserChoice, self.fields["chair"]).queryset = get_user_model().objects.filter(
            is_active=True, pool_member__isnull=False
        )

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        data["members"] = [u.pk for u in data["members"]]
        data["chair"] = data["chair"].pk if data["chair"] else None
        return data
