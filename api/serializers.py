"""Request and response shapes. Requests are shaped here; rules live in the services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.inputs import refuse_control_characters, refuse_far_dates
from core.paging import CURSOR_MAX_LENGTH, CURSOR_MESSAGE, Cursor
from panels.models import PANEL_OUTCOMES
from workflow.deadlines import is_overdue
from workflow.just_culture import QUESTIONS
from workflow.models import ConcernCategory, Outcome, RedirectPolicy, Stage, TriageRoute
from workflow.rules import Action
from workflow.selectors import (
    CASE_LIST_SORTS,
    CASE_SEARCH_MAX_LENGTH,
    CaseView,
)

from .common import ActionRequest, StrictSerializer, UserOut, user_out
from .common import text_field as _text
from .formal import FormalOut, formal_out
from .panels import DecisionOut, PanelOut, decision_out, panel_out
from .suspensions import SuspensionOut, suspension_out
from .voice import VoiceOut, voice_out
from .wellbeing import WellbeingOut, wellbeing_out

# --- requests ---------------------------------------------------------------


# One optional yes/no/null field per question of the guide (workflow.just_culture).
JustCultureRequest: type[StrictSerializer] = type(
    "JustCultureRequest",
    (StrictSerializer,),
    {
        name: serializers.BooleanField(
            required=False, allow_null=True, default=None, help_text=question
        )
        for name, question in QUESTIONS.items()
    },
)


class ReferralCreateRequest(StrictSerializer):
    staff_number = serializers.CharField(max_length=32)
    concern_category = serializers.ChoiceField(choices=ConcernCategory.choices)
    summary = _text()
    incident_date = serializers.DateField()
    informal_steps_tried = _text(required=False, allow_blank=True, default="")
    just_culture = JustCultureRequest(required=False)
    duplicate_reason = _text(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the employee is referred again while a referral of theirs is open; "
        "kept on the case and its audit event (ignored when they have none).",
    )
    submission_key = serializers.UUIDField(
        required=False,
        help_text="A key of your choosing, new for each referral. Sending the same key "
        "again (a retry after a lost answer) creates nothing and answers 200 with the "
        "referral the key made first.",
    )


class TriageRequest(ActionRequest):
    route = serializers.ChoiceField(choices=TriageRoute.choices)
    reason = _text(required=False, allow_blank=True, default="")
    policy = serializers.ChoiceField(
        choices=RedirectPolicy.choices, required=False, allow_blank=True, default=""
    )
    owner = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The user id of the HR adviser who will own the case; you by default. "
        "Not the referring manager.",
    )
    wellbeing_contact = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**31 - 1,
        help_text="The user id of the employee's wellbeing contact: an HR adviser or "
        "decision-maker, not the referring manager nor the employee. By default the case "
        "owner when the case goes to informal resolution or the panel.",
    )


class ResubmitRequest(ActionRequest):
    note = _text()
    summary = _text(required=False)
    informal_steps_tried = _text(required=False, allow_blank=True)


class InformalOutcomeRequest(ActionRequest):
    resolved = serializers.BooleanField()
    actions = _text()
    reason = _text(required=False, allow_blank=True, default="")


class ConveneRequest(ActionRequest):
    members = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), max_length=50
    )
    chair = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class DecideRequest(ActionRequest):
    outcome = serializers.ChoiceField(choices=[(o.value, o.label) for o in PANEL_OUTCOMES])
    rationale = _text()
    agreed_actions = _text(required=False, allow_blank=True, default="")
    just_culture = JustCultureRequest(
        required=False,
        help_text="The panel's own review of the guide's answers, if it amends or confirms them.",
    )
    without_account_reason = _text(
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the panel decides before the employee's own account is on the case: "
        "required then, where the trust's policy lets it (409 where it does not).",
    )


class SignoffRequest(ActionRequest):
    approve = serializers.BooleanField()
    reason = _text(
        help_text="Why you approve a formal investigation, or what the panel should "
        "reconsider when you decline: required either way, kept on the case's record."
    )


class WithdrawRequest(ActionRequest):
    reason = _text()


class ReferralFilter(StrictSerializer):
    # Checked as the web's filters are (core.inputs): no control
    # characters, dates from 2000 to 2100.
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    org_unit = serializers.CharField(
        max_length=32, required=False, validators=[refuse_control_characters]
    )
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)
    submitted_from = serializers.DateField(
        required=False, validators=[refuse_far_dates], help_text="Between 2000 and 2100."
    )
    submitted_to = serializers.DateField(
        required=False, validators=[refuse_far_dates], help_text="Between 2000 and 2100."
    )
    q = serializers.CharField(
        required=False,
        max_length=CASE_SEARCH_MAX_LENGTH,
        validators=[refuse_control_characters],
        help_text="A reference, an employee's name or staff number, or the referring "
        "manager's name. When no case contains it, cases whose employee's name is close "
        "to it are listed instead and close_matches is true.",
    )
    sort = serializers.ChoiceField(
        choices=list(CASE_LIST_SORTS),
        required=False,
        help_text="submitted, reference or employee; a leading minus reverses it. "
        "Newest first when not given.",
        error_messages={
            "invalid_choice": "The list can be sorted by submitted date, reference or "
            "employee (for example sort=reference, or sort=-reference for the reverse)."
        },
    )
    cursor = serializers.CharField(
        required=False,
        max_length=CURSOR_MAX_LENGTH,
        help_text="Where the page starts: take it from a page's next or previous link.",
    )

    def validate_q(self, value: str) -> str:
        # Spaces around or between words do not change what is searched for.
        return " ".join(value.split())

    def validate_cursor(self, value: str) -> Cursor:
        try:
            return Cursor.decode(value)
        except ValueError as exc:
            raise serializers.ValidationError(CURSOR_MESSAGE) from exc


# --- responses --------------------------------------------------------------


class OrgUnitOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class EmployeeOut(serializers.Serializer):
    staff_number = serializers.CharField()
    name = serializers.CharField()
    job_title = serializers.CharField()
    band = serializers.CharField(allow_blank=True)
    org_unit = OrgUnitOut()
    line_manager_name = serializers.CharField(allow_blank=True)
    ethnic_category = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="NHS ethnic category code. Present only for HR and decision-makers; "
        "each showing is recorded.",
    )


class ConcernOut(serializers.Serializer):
    category = serializers.ChoiceField(choices=ConcernCategory.choices)
    summary = serializers.CharField()
    incident_date = serializers.DateField()
    informal_steps_tried = serializers.CharField(allow_blank=True)


class JustCultureOut(serializers.Serializer):
    answers = serializers.DictField(child=serializers.BooleanField(allow_null=True))
    outcome = serializers.CharField(allow_null=True, help_text="The guide's letter, A to G.")
    advice = serializers.CharField(allow_blank=True)


class SignoffOut(serializers.Serializer):
    id = serializers.IntegerField()
    decision_id = serializers.IntegerField()
    approved = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    signed_by = UserOut()
    signed_at = serializers.DateTimeField()


class TriageOut(serializers.Serializer):
    route = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True)
    policy = serializers.CharField(allow_blank=True)


class InformalOut(serializers.Serializer):
    resolved = serializers.BooleanField(allow_null=True)
    actions = serializers.CharField(allow_blank=True)
    reason = serializers.CharField(allow_blank=True)


class CaseOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    outcome = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField()
    referring_manager = UserOut()
    owner = UserOut(allow_null=True, help_text="The named HR case owner; null: not assigned.")
    restricted = serializers.BooleanField(
        help_text="True for a panel member who has not yet declared no conflict of interest: "
        "the case's substance (employee record, concern, guide, triage, informal stage, "
        "decisions) is null or empty until they do."
    )
    employee_name = serializers.CharField(help_text="Who the referral is about.")
    employee = EmployeeOut(allow_null=True)
    concern = ConcernOut(allow_null=True)
    just_culture = JustCultureOut(allow_null=True)
    triage = TriageOut(allow_null=True)
    informal = InformalOut(allow_null=True)
    panels = PanelOut(many=True)
    decisions = DecisionOut(many=True)
    signoffs = SignoffOut(many=True)
    submitted_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    formal_commissioned_at = serializers.DateTimeField(allow_null=True)
    due_on = serializers.DateField(
        allow_null=True, help_text="When the open step is due; null for a finished case."
    )
    overdue = serializers.BooleanField(help_text="Past the open step's due date.")
    available_actions = serializers.ListField(
        child=serializers.ChoiceField(choices=[a.value for a in Action])
    )
    suspension = SuspensionOut(
        allow_null=True,
        help_text="The active suspension or restriction, for HR and decision-makers "
        "independent of the case; null otherwise, and when there is none.",
    )
    formal = FormalOut(
        allow_null=True,
        help_text="The formal process after sign-off (HR, decision-makers and the people "
        "it names); null for anyone else and for a case without one.",
    )
    voice = VoiceOut(
        allow_null=True,
        help_text="The employee's own account: when they were told, their accounts and "
        "their link's state (HR, the panel's chair and members cleared to read the case); "
        "null for anyone else.",
    )
    wellbeing = WellbeingOut(
        allow_null=True,
        help_text="The wellbeing contact and check-ins (HR and the contact); null otherwise.",
    )


class CaseSummaryOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    outcome = serializers.CharField(allow_blank=True)
    employee_name = serializers.CharField()
    owner = serializers.SerializerMethodField(
        help_text="The named HR case owner (id, username, name); null: not assigned."
    )
    org_unit = OrgUnitOut(
        source="employee_org_unit",
        allow_null=True,
        help_text="Null for a panel member who has not yet declared no conflict.",
    )
    concern_category = serializers.CharField(
        allow_null=True,
        help_text="Null for a panel member who has not yet declared no conflict.",
    )
    submitted_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    due_on = serializers.DateField(
        allow_null=True, help_text="When the open step is due; null for a finished case."
    )
    overdue = serializers.SerializerMethodField(help_text="Past the open step's due date.")

    @extend_schema_field(UserOut(allow_null=True))
    def get_owner(self, case: Any) -> dict[str, Any] | None:
        return user_out(case.owner)

    def get_overdue(self, case: Any) -> bool:
        return is_overdue(case.due_on) if case.is_open else False

    def to_representation(self, instance: Any) -> dict[str, Any]:
        # DRF ships no types: what its serializers return is declared here.
        data: dict[str, Any] = super().to_representation(instance)
        if getattr(instance, "details_shown", False) is not True:
            # Whoever may have a conflict must not read the substance first
            # (access.DetailsVisible); a row that does not say shows none.
            data["org_unit"] = data["concern_category"] = None
        return data


class CasePageOut(serializers.Serializer):
    """One page of cases, 25 to a page, newest first. Pages are linked by
    cursor (keyset paging): follow ``next`` for older cases and ``previous``
    for newer ones; there is no total, which would cost a count of every case."""

    next = serializers.URLField(allow_null=True, help_text="Older cases; null on the last page.")
    previous = serializers.URLField(
        allow_null=True, help_text="Newer cases; null on the first page."
    )
    results = CaseSummaryOut(many=True)
    close_matches = serializers.BooleanField(
        help_text="True when no case contains the search q, and these are the cases whose "
        "employee's name is close to it instead."
    )


class AuditEventOut(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = UserOut(allow_null=True)
    action = serializers.CharField()
    from_stage = serializers.CharField(allow_blank=True)
    to_stage = serializers.CharField()
    reason = serializers.CharField(
        allow_blank=True, help_text="Blank for a conflict of interest's reason unless you are HR."
    )
    payload = serializers.DictField()
    on_behalf_of = serializers.CharField(
        allow_blank=True,
        required=False,
        help_text="Whom a delegate acted for (their name); blank for one's own action.",
    )


def case_out(view: CaseView) -> dict[str, Any]:
    """The case as the caller may see it (ethnicity only where allowed; only
    the reference, the people and the panel to a member yet to declare)."""
    case = view.case
    shown = _substance(view)
    return {
        "id": case.pk,
        "reference": case.reference,
        "stage": case.stage,
        "outcome": case.outcome,
        "version": case.version,
        "referring_manager": user_out(case.referring_manager),
        "owner": user_out(case.owner),
        "restricted": view.restricted,
        "employee_name": case.employee_name,
        **shown,
        "panels": [
            panel_out(
                p,
                show_views=view.shows_panel_views,
                show_conflict_reasons=view.allowed.conflict_reasons,
            )
            for p in case.panels.all()
        ],
        "decisions": [] if view.restricted else [decision_out(d) for d in case.decisions.all()],
        "signoffs": [] if view.restricted else [_signoff(s) for s in case.signoffs.all()],
        "submitted_at": case.submitted_at,
        "updated_at": case.updated_at,
        "closed_at": case.closed_at,
        "formal_commissioned_at": case.formal_commissioned_at,
        "due_on": view.due_on,
        "overdue": is_overdue(view.due_on),
        "available_actions": [a.value for a in view.actions],
        # Through access.SuspensionVisible: null for whoever it hides the register from.
        "suspension": suspension_out(view.viewer, view._case),
        "formal": formal_out(view),
        # Through access.AccountVisible and access.WellbeingVisible.
        "voice": voice_out(view.viewer, view._case),
        "wellbeing": wellbeing_out(view.viewer, view._case),
    }


def path_out(view: CaseView) -> list[dict[str, Any]]:
    """The case's path, each reason as ``access.EventReasonVisible`` allows."""
    return [
        {
            "id": e.id,
            "at": e.at,
            "actor": user_out(e.actor),
            "action": e.action,
            "from_stage": e.from_stage,
            "to_stage": e.to_stage,
            "reason": e.reason,
            "payload": e.payload,
            # A delegate's action: the person it was taken for ("by X for Y").
            "on_behalf_of": e.on_behalf_of,
        }
        for e in view.path
    ]


def _signoff(s: Any) -> dict[str, Any]:
    return {
        "id": s.pk,
        "decision_id": s.decision_id,
        "approved": s.approved,
        "reason": s.reason,
        "signed_by": user_out(s.signed_by),
        "signed_at": s.signed_at,
    }


def _substance(view: CaseView) -> dict[str, Any]:
    """The case's substance, or nulls for someone who must declare first."""
    if view.restricted:
        return dict.fromkeys(("employee", "concern", "just_culture", "triage", "informal"))
    case = view.case
    jc = getattr(case, "just_culture", None)
    employee: dict[str, Any] = {
        "staff_number": case.employee_staff_number,
        "name": case.employee_name,
        "job_title": case.employee_job_title,
        "band": case.employee_band,
        "org_unit": {"code": case.employee_org_unit.code, "name": case.employee_org_unit.name},
        "line_manager_name": case.employee_line_manager_name,
    }
    if view.show_ethnicity:
        employee["ethnic_category"] = case.employee_ethnic_category
    return {
        "employee": employee,
        "concern": {
            "category": case.concern_category,
            "summary": case.summary,
            "incident_date": case.incident_date,
            "informal_steps_tried": case.informal_steps_tried,
        },
        "just_culture": {
            "answers": vars(jc.answers()) if jc else {},
            "outcome": (jc.outcome or None) if jc else None,
            "advice": jc.outcome_advice if jc else "",
        },
        "triage": {
            "route": case.triage_route,
            "reason": case.triage_reason,
            "policy": case.redirect_policy,
        },
        "informal": {
            "resolved": case.informal_resolved,
            "actions": case.informal_actions,
            "reason": case.informal_reason,
        },
    }
