"""Forms for every action. They shape input for a service; the rules live there.

Each action form knows how to turn its cleaned data into the service's
keyword arguments, and carries the case version it was shown, so an action
taken on a page someone else has since changed is refused, not applied.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from accounts.roles import Role, holders
from accounts.types import Actor
from core.errors import DomainError, ValidationFailed
from panels.guide import guide_advice
from panels.models import PANEL_OUTCOMES
from voice.selectors import has_account
from workflow.access import Withheld
from workflow.just_culture import ADVICE, QUESTIONS, JustCultureOutcome
from workflow.models import ConcernCategory, RedirectPolicy, TriageRoute

FieldT = TypeVar("FieldT", bound=forms.Field)

YES_NO = [("yes", "Yes"), ("no", "No")]
YES_NO_UNKNOWN = [("yes", "Yes"), ("no", "No"), ("", "Not sure")]


def yes_no(value: str) -> bool | None:
    """A YES_NO or YES_NO_UNKNOWN answer as the services take it (None: not sure)."""
    return {"yes": True, "no": False}.get(value)


def _choice(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def needed_when(field: FieldT, when: str) -> FieldT:
    """Mark a field the service requires only in some cases (``_field.html``
    then labels it "(needed …)" rather than "(optional)", so the label never
    says a field may be left blank when the answer will be refused)."""
    field.needed_when = when  # type: ignore[attr-defined]
    return field


class ActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["expected_version"] = data.pop("version", None)
        return data


class TriageForm(ActionForm):
    route = forms.ChoiceField(
        label="Where should this referral go next?",
        choices=TriageRoute.choices,
        initial=TriageRoute.INFORMAL,
        widget=forms.RadioSelect,
        help_text="Informal resolution first, unless there is a reason not to.",
    )
    reason = needed_when(
        forms.CharField(
            label="Reason",
            widget=forms.Textarea(attrs={"rows": 4}),
            required=False,
            help_text="Needed for any route but informal resolution. "
            "The referring manager sees it.",
        ),
        "for any route but informal resolution",
    )
    policy = needed_when(
        forms.ChoiceField(
            label="Which policy?",
            choices=[("", "Choose a policy"), *RedirectPolicy.choices],
            required=False,
            help_text="Only when redirecting to another policy.",
        ),
        "when redirecting",
    )
    owner = forms.TypedChoiceField(
        label="Case owner",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[],
        initial="",
        widget=forms.RadioSelect,
        help_text="The HR adviser who owns the case from now on. You, unless you name another.",
    )
    # Leaving it is choosing "Me": not an optional answer, so not labelled one.
    owner.compact = True  # type: ignore[attr-defined]
    wellbeing_contact = forms.TypedChoiceField(
        label="Wellbeing contact",
        coerce=int,
        empty_value=None,
        required=False,
        choices=[],
        initial="",
        widget=forms.RadioSelect,
        help_text="Who checks in on the employee while the case is under way: an HR adviser or "
        "decision-maker, never the referring manager. The case owner, unless you name another.",
    )
    # Leaving it is choosing the case owner, as for the owner above.
    wellbeing_contact.compact = True  # type: ignore[attr-defined]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The trust's HR advisers (a few dozen at most); the service refuses
        # the referring manager and anyone who is not one.
        advisers = holders(Role.HR).order_by("last_name", "first_name", "username")
        owner = cast(forms.TypedChoiceField, self.fields["owner"])
        owner.choices = [("", "Me")] + [(u.pk, u.get_full_name() or u.username) for u in advisers]
        # HR advisers and decision-makers (docs/wellbeing.md); the service
        # refuses the referring manager and the employee themself.
        contact = cast(forms.TypedChoiceField, self.fields["wellbeing_contact"])
        people = (
            (holders(Role.HR) | holders(Role.DECISION_MAKER))
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        contact.choices = [("", "The case owner")] + [
            (u.pk, u.get_full_name() or u.username) for u in people
        ]


class ResubmitForm(ActionForm):
    summary = forms.CharField(label="What happened?", widget=forms.Textarea(attrs={"rows": 5}))
    informal_steps_tried = forms.CharField(
        label="What have you already tried informally?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    note = forms.CharField(
        label="What you have added or changed", widget=forms.Textarea(attrs={"rows": 3})
    )


class InformalOutcomeForm(ActionForm):
    resolved = forms.ChoiceField(
        label="Was the concern resolved informally?", choices=YES_NO, widget=forms.RadioSelect
    )
    actions = forms.CharField(
        label="What was done informally?",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, a facilitated conversation, an agreed plan or extra training.",
    )
    reason = needed_when(
        forms.CharField(
            label="If it was not resolved: why not?",
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text="Needed when it was not resolved: "
            "the case then goes to a Fair Treatment Panel.",
        ),
        "when it was not resolved",
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        data["resolved"] = yes_no(data["resolved"])
        return data


def _panel_users() -> QuerySet[Actor]:
    return holders(Role.PANEL).order_by("last_name", "first_name", "username")


class UserChoice(forms.ModelChoiceField[Actor]):
    """Choose one person, shown by full name (a username only when there is none)."""

    def label_from_instance(self, obj: Actor) -> str:
        return obj.get_full_name() or obj.get_username()


class UsersChoice(forms.ModelMultipleChoiceField[Actor]):
    """Choose several people, shown as ``UserChoice`` shows one."""

    def label_from_instance(self, obj: Actor) -> str:
        return obj.get_full_name() or obj.get_username()


class ConveneForm(ActionForm):
    members = UsersChoice(
        label="Panel members",
        queryset=get_user_model().objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Include the chair. The panel rules are checked when you convene.",
    )
    chair = UserChoice(
        label="Chair",
        queryset=get_user_model().objects.none(),
        empty_label="Choose the chair",
        help_text="One of the members above.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(UsersChoice, self.fields["members"]).queryset = _panel_users()
        cast(UserChoice, self.fields["chair"]).queryset = _panel_users()

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        data["members"] = [u.pk for u in data["members"]]
        data["chair"] = data["chair"].pk if data["chair"] else None
        return data


class DecideForm(ActionForm):
    """The panel's decision, and its review of the just culture guide's answers
    (shown as the referring manager gave them; any change is the panel's)."""

    outcome = forms.ChoiceField(
        label="The panel's decision",
        choices=[(o.value, o.label) for o in PANEL_OUTCOMES],
        widget=forms.RadioSelect,
    )
    rationale = forms.CharField(
        label="Rationale",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="The panel's reasons, in writing. They are kept on the case's record.",
    )
    agreed_actions = forms.CharField(
        label="Agreed actions",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the panel agreed should happen, for example a facilitated conversation.",
    )
    # Shown only while the employee's own account is not on the case (voice/);
    # the service requires it then, where the trust's policy lets the panel go ahead.
    without_account_reason = needed_when(
        forms.CharField(
            label="Why is the panel deciding without the employee's account?",
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text="The employee's own account is not on the case. Say why the panel "
            "decides now; it is kept with the decision.",
        ),
        "without the employee's account",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.initial.get("account_on_case", True):
            del self.fields["without_account_reason"]
        for name, question in QUESTIONS.items():
            self.fields[name] = field = forms.ChoiceField(
                label=question, choices=YES_NO_UNKNOWN, required=False, widget=forms.RadioSelect
            )
            field.compact = True  # type: ignore[attr-defined]  # one row each (_field.html)

    @staticmethod
    def initial_for(case: Any) -> dict[str, Any]:
        """The answers the guide's advice stands on now (``guide_advice``): the
        panel's last review if it made one, else the referring manager's."""
        try:
            given = guide_advice(case).answers
        except Withheld:  # a viewer who may not read the case's details gets no answers
            given = None
        answers: dict[str, bool | None] = vars(given) if given else {}
        return {
            **{n: _choice(answers.get(n)) for n in QUESTIONS},
            # Whether to ask why the panel decides without the employee's account.
            "account_on_case": has_account(case.pk),
        }

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        answers = {name: yes_no(data.pop(name, "")) for name in QUESTIONS}
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
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Give the reason for approving or declining."},
        help_text="Why you approve a formal investigation, or, when declining, what the panel "
        "should reconsider. It is kept on the case's record.",
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = super().service_kwargs()
        data["approve"] = yes_no(data["approve"])
        return data


class WithdrawForm(ActionForm):
    reason = forms.CharField(
        label="Why is the referral being withdrawn?", widget=forms.Textarea(attrs={"rows": 4})
    )


class ReferralForm(forms.Form):
    """A manager's proposed referral, with the just culture guide's questions."""

    staff_number = forms.CharField(
        label="Employee's staff number",
        max_length=32,
        error_messages={"required": "Enter the employee's staff number."},
        help_text=("Their ESR staff number. Their name, job and department are filled in from it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    concern_category = forms.ChoiceField(
        label="What kind of concern is it?", choices=ConcernCategory.choices
    )
    # A text field in day/month/year order: a browser's own date picker shows
    # whatever order the laptop's settings say, which is not always the UK's.
    incident_date = forms.DateField(
        label="When did it happen?",
        input_formats=["%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d"],
        error_messages={
            "required": "Enter the date it happened.",
            "invalid": "Enter the date as day/month/year, for example 20/11/2026.",
        },
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"class": "ftp-date"}),
        help_text="If it happened more than once, the most recent time. For example, 20/11/2026.",
    )
    summary = forms.CharField(
        label="What happened?",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What was said or done, where, and who was affected, in neutral, factual terms.",
        error_messages={"required": "Describe what happened."},
    )
    informal_steps_tried = forms.CharField(
        label="What have you already tried informally?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, a supportive conversation, a written reflection or extra training.",
    )

    # The form's one-time key, made when the blank form is shown and kept
    # through any corrections: the same form sent twice makes one case
    # (``referral_submit``). A form without one (an old tab) is given a
    # fresh key and shown again.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, required=False)
    # Shown (in the warning, not among the details) only when the employee
    # already has an open case; the service then requires it.
    duplicate_reason = forms.CharField(
        label="Why are you referring them again?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="HR sees your reason beside the open referral when they triage.",
        error_messages={
            "required": "Say why you are referring this employee again while a referral is open.",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, question in QUESTIONS.items():
            self.fields[name] = field = forms.ChoiceField(
                label=question,
                choices=YES_NO_UNKNOWN,
                required=False,
                widget=forms.RadioSelect,
            )
            field.compact = True  # type: ignore[attr-defined]  # one row each (_field.html)

    def detail_fields(self) -> list[forms.BoundField]:
        """The employee and the concern: every field but the guide's questions
        and the duplicate reason (shown with its warning)."""
        return [
            self[name]
            for name in self.fields
            if name not in QUESTIONS and name != "duplicate_reason"
        ]

    def just_culture_steps(self) -> list[dict[str, Any]]:
        """The guide's questions as its five steps, each with what its answers advise."""
        return [
            {"title": title, "advice": advice, "fields": [self[name] for name in names]}
            for title, advice, names in JUST_CULTURE_STEPS
        ]

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["just_culture"] = {name: yes_no(data.pop(name, "")) for name in QUESTIONS}
        return data


# The referral form asks the guide's questions step by step; a manager may
# leave any unanswered ("Not sure"): the panel reviews the answers.
JUST_CULTURE_STEPS: list[tuple[str, str, list[str]]] = [
    (
        "Step 1: deliberate harm",
        f"If yes, the guide advises A. {ADVICE[JustCultureOutcome.A]} If no, go on to step 2.",
        ["q1a"],
    ),
    (
        "Step 2: health",
        f"Substance abuse advises B. {ADVICE[JustCultureOutcome.B]} "
        f"Physical or mental ill health advises C. {ADVICE[JustCultureOutcome.C]} "
        "If all are no, go on to step 3.",
        ["q2a", "q2b", "q2c"],
    ),
    (
        "Step 3: foresight",
        f"If any answer is no, the guide advises D. {ADVICE[JustCultureOutcome.D]} "
        "If all are yes, go on to step 4.",
        ["q3a", "q3b", "q3c"],
    ),
    (
        "Step 4: substitution",
        f"If any answer is yes, the guide advises E. {ADVICE[JustCultureOutcome.E]} "
        "If all are no, go on to step 5.",
        ["q4a", "q4b", "q4c"],
    ),
    (
        "Step 5: mitigation",
        f"If yes, the guide advises F. {ADVICE[JustCultureOutcome.F]} "
        f"If no, it advises G. {ADVICE[JustCultureOutcome.G]}",
        ["q5a"],
    ),
]


def apply_domain_errors(form: forms.Form, exc: DomainError) -> None:
    """Put a service's errors on the form, field by field where it can."""
    if isinstance(exc, ValidationFailed):
        for field, messages_ in exc.errors.items():
            target = field if field in form.fields else None
            for message in messages_:
                form.add_error(target, message)
    else:
        form.add_error(None, exc.message)
