"""Request and response shapes. Requests are shaped here; rules live in the services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

from panels.models import PANEL_OUTCOMES
from workflow.just_culture import QUESTIONS
from workflow.models import ConcernCategory, Outcome, RedirectPolicy, Stage, TriageRoute
from workflow.rules import Action
from workflow.selectors import CaseView

TEXT_MAX = 10_000


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a typo is an error, not a silent no-op."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class StrictSerializerSchema(OpenApiSerializerExtension):
    """Says so in the schema too (``additionalProperties: false``): without it the
    document promises that unknown fields are accepted."""

    target_class = StrictSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = False
        return schema


def _text(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=TEXT_MAX, **kwargs)


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


class ActionRequest(StrictSerializer):
    expected_version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="The case version you last saw; refused with 409 if the case changed since.",
    )


class TriageRequest(ActionRequest):
    route = serializers.ChoiceField(choices=TriageRoute.choices)
    reason = _text(required=False, allow_blank=True, default="")
    policy = serializers.ChoiceField(
        choices=RedirectPolicy.choices, required=False, allow_blank=True, default=""
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


class SignoffRequest(ActionRequest):
    approve = serializers.BooleanField()
    reason = _text(required=False, allow_blank=True, default="")


class WithdrawRequest(ActionRequest):
    reason = _text()


class ReferralFilter(StrictSerializer):
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    org_unit = serializers.CharField(max_length=32, required=False)
    outcome = serializers.ChoiceField(choices=Outcome.choices, required=False)
    submitted_from = serializers.DateField(required=False)
    submitted_to = serializers.DateField(required=False)
    page = serializers.IntegerField(min_value=1, max_value=10**6, required=False)


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


class UserOut(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField(allow_blank=True)


class PanelOut(serializers.Serializer):
    id = serializers.IntegerField()
    chair = UserOut()
    members = UserOut(many=True)
    convened_by = UserOut()
    convened_at = serializers.DateTimeField()


class DecisionOut(serializers.Serializer):
    id = serializers.IntegerField()
    panel_id = serializers.IntegerField()
    outcome = serializers.CharField()
    rationale = serializers.CharField()
    decided_by = UserOut()
    decided_at = serializers.DateTimeField()


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
    employee = EmployeeOut()
    concern = ConcernOut()
    just_culture = JustCultureOut()
    triage = TriageOut()
    informal = InformalOut()
    panels = PanelOut(many=True)
    decisions = DecisionOut(many=True)
    signoffs = SignoffOut(many=True)
    submitted_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    formal_commissioned_at = serializers.DateTimeField(allow_null=True)
    available_actions = serializers.ListField(
        child=serializers.ChoiceField(choices=[a.value for a in Action])
    )


class CaseSummaryOut(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    stage = serializers.ChoiceField(choices=Stage.choices)
    outcome = serializers.CharField(allow_blank=True)
    employee_name = serializers.CharField()
    org_unit = OrgUnitOut(source="employee_org_unit")
    concern_category = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class CasePageOut(serializers.Serializer):
    """One page of cases, 25 to a page, newest first."""

    count = serializers.IntegerField(help_text="Cases matching, across every page.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CaseSummaryOut(many=True)


class AuditEventOut(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = UserOut(allow_null=True)
    action = serializers.CharField()
    from_stage = serializers.CharField(allow_blank=True)
    to_stage = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)
    payload = serializers.DictField()


def user_out(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.get_username(), "name": user.get_full_name()}


def case_out(view: CaseView) -> dict[str, Any]:
    """The case as the caller may see it (ethnicity only where allowed)."""
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
        "id": case.pk,
        "reference": case.reference,
        "stage": case.stage,
        "outcome": case.outcome,
        "version": case.version,
        "referring_manager": user_out(case.referring_manager),
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
        "panels": [
            {
                "id": p.pk,
                "chair": user_out(p.chair),
                "members": [user_out(m.user) for m in p.memberships.all()],
                "convened_by": user_out(p.convened_by),
                "convened_at": p.convened_at,
            }
            for p in case.panels.all()
        ],
        "decisions": [
            {
                "id": d.pk,
                "panel_id": d.panel_id,
                "outcome": d.outcome,
                "rationale": d.rationale,
                "decided_by": user_out(d.decided_by),
                "decided_at": d.decided_at,
            }
            for d in case.decisions.all()
        ],
        "signoffs": [
            {
                "id": s.pk,
                "decision_id": s.decision_id,
                "approved": s.approved,
                "reason": s.reason,
                "signed_by": user_out(s.signed_by),
                "signed_at": s.signed_at,
            }
            for s in case.signoffs.all()
        ],
        "submitted_at": case.submitted_at,
        "updated_at": case.updated_at,
        "closed_at": case.closed_at,
        "formal_commissioned_at": case.formal_commissioned_at,
        "available_actions": [a.value for a in view.actions],
    }
