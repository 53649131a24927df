"""Panel request and response shapes: convening, declarations, views, the
decision's relation to the guide, and the suggested panel.

Who sees what: a conflict's stated reason only HR; members' views HR,
decision-makers and the panel (never the referring manager, whose referral
the panel is judging); nothing of the case's substance a panel member who has
not yet declared no conflict (``CaseView.restricted``).
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from panels import state
from panels.models import PANEL_OUTCOME_CHOICES, GuideAlignment, Panel, PanelDecision
from panels.suggest import Suggestion

from .common import ActionRequest, UserOut, user_out
from .common import text_field as _text

_USER_ID = {"min_value": 1, "max_value": 2**31 - 1}

# --- requests ---------------------------------------------------------------------


class ReplaceMembersRequest(ActionRequest):
    members = serializers.ListField(
        child=serializers.IntegerField(**_USER_ID),
        max_length=50,
        help_text="One replacement per member who stood down.",
    )
    chair = serializers.IntegerField(
        **_USER_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text="Required when the chair stood down: a sitting member or a replacement.",
    )


class DeclareRequest(ActionRequest):
    no_conflict = serializers.BooleanField(
        help_text="true: no conflict of interest; false: a conflict (you are stood down)."
    )
    reason = _text(
        required=False,
        allow_blank=True,
        default="",
        help_text="The nature of the conflict (required when declaring one); HR reads it.",
    )


class ViewRequest(ActionRequest):
    outcome = serializers.ChoiceField(choices=PANEL_OUTCOME_CHOICES)
    comment = _text()


# --- responses --------------------------------------------------------------------


class SeatOut(serializers.Serializer):
    user = UserOut()
    sitting = serializers.BooleanField(help_text="False once stood down after a conflict.")
    chair = serializers.BooleanField()
    declared = serializers.ChoiceField(
        choices=["no_conflict", "conflict"], allow_null=True, help_text="Null: not yet."
    )
    declared_at = serializers.DateTimeField(allow_null=True)
    conflict_reason = serializers.CharField(allow_blank=True, help_text="Shown to HR only.")
    replaces = UserOut(allow_null=True, help_text="The member whose seat this fills.")


class ViewOut(serializers.Serializer):
    member = UserOut()
    round = serializers.IntegerField(help_text="0 before the first decision; +1 per decision.")
    outcome = serializers.ChoiceField(choices=PANEL_OUTCOME_CHOICES)
    comment = serializers.CharField()
    recorded_at = serializers.DateTimeField()


class PanelOut(serializers.Serializer):
    id = serializers.IntegerField()
    chair = UserOut()
    members = UserOut(many=True, help_text="The members sitting now.")
    seats = SeatOut(many=True)
    views = ViewOut(many=True, help_text="Every view on record (not shown to the referrer).")
    waiting_for = serializers.ChoiceField(choices=[w.value for w in state.Waiting])
    views_recorded = serializers.IntegerField()
    views_needed = serializers.IntegerField()
    convened_by = UserOut()
    convened_at = serializers.DateTimeField()


class DecisionOut(serializers.Serializer):
    id = serializers.IntegerField()
    panel_id = serializers.IntegerField()
    outcome = serializers.CharField()
    rationale = serializers.CharField()
    agreed_actions = serializers.CharField(allow_blank=True)
    just_culture_outcome = serializers.CharField(
        allow_null=True, help_text="The guide's letter (A-G) when the panel decided."
    )
    guide_alignment = serializers.ChoiceField(choices=GuideAlignment.choices)
    guide_reviewed = serializers.BooleanField(
        help_text="The panel recorded its own answers to the guide with the decision."
    )
    decided_by = UserOut()
    decided_at = serializers.DateTimeField()


class VerdictOut(serializers.Serializer):
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    status = serializers.ChoiceField(choices=["chair", "member", "kept", "eligible", "excluded"])
    reasons = serializers.ListField(child=serializers.CharField())


class SuggestionOut(serializers.Serializer):
    found = serializers.BooleanField()
    members = serializers.ListField(
        child=serializers.IntegerField(), help_text="User ids, chair first; empty if none found."
    )
    chair = serializers.IntegerField(allow_null=True)
    problems = serializers.ListField(
        child=serializers.CharField(), help_text="When none found: each rule that cannot be met."
    )
    pool = VerdictOut(many=True, help_text="Every pool member, and why chosen or not.")


def panel_out(panel: Panel, *, show_views: bool, show_conflict_reasons: bool) -> dict[str, Any]:
    """The panel as its viewer may see it: ``show_views`` from
    ``access.PanelViewsVisible``, ``show_conflict_reasons`` from
    ``access.ConflictReasonVisible``."""
    by_seat = {m.pk: m for m in state.seats(panel)}
    seats = []
    for m in state.seats(panel):
        made = state.declaration(m)
        replaced = by_seat.get(m.replaces_id) if m.replaces_id else None
        seats.append(
            {
                "user": user_out(m.user),
                "sitting": m.sitting,
                "chair": m.user_id == panel.chair_id,
                "declared": None
                if made is None
                else ("no_conflict" if made.no_conflict else "conflict"),
                "declared_at": made.declared_at if made else None,
                "conflict_reason": made.reason if made and show_conflict_reasons else "",
                "replaces": user_out(replaced.user) if replaced else None,
            }
        )
    views = [
        {
            "member": user_out(m.user),
            "round": v.round,
            "outcome": v.outcome,
            "comment": v.comment,
            "recorded_at": v.recorded_at,
        }
        for m in state.seats(panel)
        for v in m.views.all()
    ]
    return {
        "id": panel.pk,
        "chair": user_out(panel.chair),
        "members": [user_out(m.user) for m in state.sitting(panel)],
        "seats": seats,
        "views": sorted(views, key=lambda v: v["recorded_at"]) if show_views else [],
        "waiting_for": state.waiting_for(panel).value,
        "views_recorded": state.views_recorded(panel),
        "views_needed": state.views_needed(panel),
        "convened_by": user_out(panel.convened_by),
        "convened_at": panel.convened_at,
    }


def decision_out(d: PanelDecision) -> dict[str, Any]:
    return {
        "id": d.pk,
        "panel_id": d.panel_id,
        "outcome": d.outcome,
        "rationale": d.rationale,
        "agreed_actions": d.agreed_actions,
        "just_culture_outcome": d.just_culture_outcome or None,
        "guide_alignment": d.guide_alignment,
        "guide_reviewed": hasattr(d, "guide_answers"),
        "decided_by": user_out(d.decided_by),
        "decided_at": d.decided_at,
    }


def suggestion_out(suggestion: Suggestion) -> dict[str, Any]:
    return {
        "found": suggestion.found,
        "members": list(suggestion.member_ids),
        "chair": suggestion.chair_id,
        "problems": list(suggestion.problems),
        "pool": [
            {"user_id": v.user_id, "name": v.name, "status": v.status, "reasons": list(v.reasons)}
            for v in suggestion.verdicts
        ],
    }
