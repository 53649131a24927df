"""Convening a Fair Treatment Panel and recording its reasoned decision."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.roles import GROUP_NAMES, Role
from workflow.errors import Conflict, ValidationFailed
from workflow.models import Outcome
from workflow.rules import Action
from workflow.services._engine import case_action
from workflow.services.validation import Errors

from .models import PANEL_OUTCOMES, Panel, PanelDecision, PanelMembership

MIN_RATIONALE = 20


def panel_convene(
    *,
    case_id: int,
    actor: Any,
    members: Sequence[int],
    chair: int | None,
    expected_version: int | None = None,
) -> Any:
    """HR names the panel members and its chair (one of them).

    Members must hold the panel member role; the referring manager can never
    sit on the panel. The trust sets the panel's size (FTP_PANEL_MIN_MEMBERS,
    FTP_PANEL_MAX_MEMBERS).
    """
    with case_action(
        case_id=case_id, actor=actor, action=Action.CONVENE_PANEL, expected_version=expected_version
    ) as act:
        case = act.case
        errors = Errors()
        if not all(isinstance(m, int) and not isinstance(m, bool) for m in members or []):
            errors.add("members", "Give the panel members as user ids.")
            errors.raise_if_any()
        member_ids = list(dict.fromkeys(members or []))
        lo, hi = settings.FTP_PANEL_MIN_MEMBERS, settings.FTP_PANEL_MAX_MEMBERS
        if not lo <= len(member_ids) <= hi:
            errors.add(
                "members",
                f"A panel has between {lo} and {hi} members; you chose {len(member_ids)}.",
            )
        eligible = set(
            get_user_model()
            .objects.filter(pk__in=member_ids, is_active=True, groups__name=GROUP_NAMES[Role.PANEL])
            .values_list("pk", flat=True)
        )
        if missing := [m for m in member_ids if m not in eligible]:
            errors.add("members", f"Not panel members: user ids {missing}.")
        if case.referring_manager_id in member_ids:
            errors.add("members", "The referring manager cannot sit on the panel.")
        if chair is None or chair not in member_ids:
            errors.add("chair", "Choose the chair from the panel's members.")
        errors.raise_if_any()
        if chair is None:  # unreachable: checked above; narrows the type
            raise ValidationFailed({"chair": ["Choose the chair from the panel's members."]})
        panel = Panel.objects.create(
            case=case, chair_id=chair, convened_by=actor, convened_at=timezone.now()
        )
        PanelMembership.objects.bulk_create(
            PanelMembership(panel=panel, user_id=m) for m in member_ids
        )
        act.payload = {"panel_id": panel.pk, "members": member_ids, "chair": chair}
    return act.case


def panel_decision_record(
    *,
    case_id: int,
    actor: Any,
    outcome: str,
    rationale: str,
    expected_version: int | None = None,
) -> Any:
    """The chair records the panel's decision with its written rationale.

    Formal investigation goes to sign-off; every other outcome closes the case.
    """
    with case_action(
        case_id=case_id, actor=actor, action=Action.DECIDE, expected_version=expected_version
    ) as act:
        case = act.case
        errors = Errors()
        outcome = errors.require_choice(
            "outcome", outcome, [o.value for o in PANEL_OUTCOMES], "the panel's decision"
        )
        rationale = errors.require_text(
            "rationale", rationale, "the panel's rationale", min_length=MIN_RATIONALE
        )
        errors.raise_if_any()
        panel = Panel.objects.filter(case=case).order_by("-convened_at", "-id").first()
        if panel is None:  # unreachable: only the chair of the current panel gets here
            raise Conflict("No panel has been convened on this case.")
        decision = PanelDecision.objects.create(
            case=case,
            panel=panel,
            outcome=outcome,
            rationale=rationale,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        case.outcome = Outcome(outcome)
        act.reason = rationale
        act.payload = {"outcome": outcome, "decision_id": decision.pk}
    return act.case
