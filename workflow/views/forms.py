"""Forms for every action. They shape input for a service; the rules live there.

Each action form knows how to turn its cleaned data into the service's
keyword arguments, and carries the case version it was shown, so an action
taken on a page someone else has since changed is refused, not applied.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model

from accounts.roles import GROUP_NAMES, Role
from panels.models import PANEL_OUTCOMES
from workflow.just_culture import QUESTIONS
from workflow.models import ConcernCategory, RedirectPolicy, TriageRoute

YES_NO = [("yes", "Yes"), ("no", "No")]
YES_NO_UNKNOWN = [("", "Not answered"), ("yes", "Yes"), ("no", "No")]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _choice(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["expected_version"] = data.pop("version", None)
        return data


class TriageForm(ActionForm):
    route = forms.ChoiceField(
        choices=TriageRoute.choices, initial=TriageRoute.INFORMAL, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Required unless routing to informal resolution.",
    )
    policy = forms.ChoiceField(
        choices=[("", "—"), *RedirectPolicy.choices],
        required=False,
        help_text="When redirecting: the policy the case moves to.",
    )


class ResubmitForm(ActionForm):
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))
    informal_steps_tried = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    note = forms.CharField(
        label="What you have added or changed", widget=forms.Textarea(attrs={"rows": 3})
    )


class InformalOutcomeForm(ActionForm):
    resolved = forms.ChoiceField(
        label="Was the concern resolved informally?", choices=YES_NO, widget=forms.RadioSelect
    )
    actions = forms.CharField(
        label="Informal actions taken", widget=forms.Textarea(attrs={"rows": 4})
    )
    reason = forms.CharField(
        label="If not resolved: why", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        data["resolved"] = _yes_no(data["resolved"])
        return data


def _panel_users() -> Any:
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=GROUP_NAMES[Role.PANEL])
        .order_by("last_name", "first_name", "username")
    )


class _UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class _UsersChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class ConveneForm(ActionForm):
    members = _UsersChoice(
        queryset=get_user_model().objects.none(), widget=forms.CheckboxSelectMultiple
    )
    chair = _UserChoice(queryset=get_user_model().objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["members"]).queryset = _panel_users()
        cast(forms.ModelChoiceField, self.fields["chair"]).queryset = _panel_users()

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        data["members"] = [u.pk for u in data["members"]]
        data["chair"] = data["chair"].pk if data["chair"] else None
        return data


class DecideForm(ActionForm):
    """The panel's decision, and its review of the just culture guide's answers
    (shown as the referring manager gave them; any change is the panel's)."""

    outcome = forms.ChoiceField(
        choices=[(o.value, o.label) for o in PANEL_OUTCOMES], widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), help_text="The panel's written reasons."
    )
    agreed_actions = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the panel agreed should happen (e.g. a facilitated conversation).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, question in QUESTIONS.items():
            self.fields[name] = forms.ChoiceField(
                label=question, choices=YES_NO_UNKNOWN, required=False, widget=forms.RadioSelect
            )

    @staticmethod
    def initial_for(case: Any) -> dict[str, Any]:
        jc = getattr(case, "just_culture", None)
        answers: dict[str, bool | None] = vars(jc.answers()) if jc else {}
        return {n: _choice(answers.get(n)) for n in QUESTIONS}

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        answers = {name: _yes_no(data.pop(name, "")) for name in QUESTIONS}
        # Only an amendment is the panel's own review; unchanged answers stay the manager's.
        data["just_culture"] = answers if set(self.changed_data) & set(QUESTIONS) else None
        return data


class SignoffForm(ActionForm):
    approve = forms.ChoiceField(
        label="Commission a formal investigation?",
        choices=[("yes", "Approve"), ("no", "Decline and return to the panel")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when declining.",
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        data["approve"] = _yes_no(data["approve"])
        return data


class WithdrawForm(ActionForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))


class ReferralForm(forms.Form):
    """A manager's proposed referral, with the just culture guide's questions."""

    staff_number = forms.CharField(max_length=32, help_text="The employee's ESR staff number.")
    concern_category = forms.ChoiceField(choices=ConcernCategory.choices)
    incident_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What happened, in neutral, factual terms.",
    )
    informal_steps_tried = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What has already been tried informally.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, question in QUESTIONS.items():
            self.fields[name] = forms.ChoiceField(
                label=question,
                choices=YES_NO_UNKNOWN,
                required=False,
                widget=forms.RadioSelect,
            )

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["just_culture"] = {name: _yes_no(data.pop(name, "")) for name in QUESTIONS}
        return data
