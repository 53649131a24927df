"""HR triage of a submitted referral, and the informal stage's outcome."""

from __future__ import annotations

from accounts.types import Actor
from core.errors import ValidationFailed

from ..engine import case_action
from ..models import Case, Outcome, RedirectPolicy, TriageRoute
from ..rules import Action
from .contact import contact_after_triage, contact_problem, contact_user
from .owner import LEADS_ONLY, owner_for_triage
from .validation import Errors


def case_triage(
    *,
    case_id: int,
    actor: Actor,
    route: str,
    reason: str = "",
    policy: str = "",
    owner: int | None = None,
    wellbeing_contact: int | None = None,
    expected_version: int | None = None,
) -> Case:
    """Route a submitted case: informal (default), panel, redirect or return,
    and name its HR case owner.

    Going straight to the panel, redirecting and returning each need a
    written reason; informal resolution is the expected route and needs none.
    ``owner``: the HR adviser who will own the case (an id; by default the
    adviser triaging). A case triaged again after it was returned keeps its
    owner: only an HR lead changes it (``workflow.services.owner``).

    ``wellbeing_contact``: the employee's named wellbeing contact (a user id;
    ``services.contact`` says who may be one). A case that stays in the
    process (informal or panel) always has one: by default its owner, the
    HR adviser who will look after it. A redirected or returned case needs
    none; one named is still checked and kept (docs/wellbeing.md).
    """
    with case_action(
        case_id=case_id, actor=actor, action=Action.TRIAGE, expected_version=expected_version
    ) as act:
        errors = Errors()
        route = errors.require_choice("route", route, TriageRoute.choices, "a route")
        if route == TriageRoute.PANEL:
            reason = errors.require_text(
                "reason", reason, "the reason informal resolution is inappropriate"
            )
        elif route == TriageRoute.REDIRECT:
            reason = errors.require_text("reason", reason, "the reason for redirecting")
            policy = errors.require_choice(
                "policy", policy, RedirectPolicy.choices, "the policy to redirect to"
            )
        elif route == TriageRoute.RETURN:
            reason = errors.require_text("reason", reason, "what information is missing")
        case = act.case
        contact = contact_user(wellbeing_contact)
        if wellbeing_contact is not None and (why := contact_problem(case, contact)):
            errors.add("wellbeing_contact", why)
        errors.raise_if_any()
        if case.owner_id is None:
            case.owner = owner_for_triage(case, actor, owner)
        elif owner not in (None, case.owner_id):
            raise ValidationFailed({"owner": [LEADS_ONLY]})
        case.triage_route = route
        case.triage_reason = (reason or "").strip()
        case.redirect_policy = policy if route == TriageRoute.REDIRECT else ""
        if route == TriageRoute.REDIRECT:
            case.outcome = Outcome.REDIRECTED
        case.wellbeing_contact = contact_after_triage(case, route, contact)
        act.reason = case.triage_reason
        act.payload = {
            "route": route,
            "policy": case.redirect_policy,
            "owner": case.owner_id,
            "wellbeing_contact": case.wellbeing_contact_id,
        }
    return act.case


def case_record_informal_outcome(
    *,
    case_id: int,
    actor: Actor,
    resolved: bool | None,
    actions: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Case:
    """Record what was tried informally: resolved closes the case; unresolved,
    with a reason, sends it to the Fair Treatment Panel."""
    with case_action(
        case_id=case_id,
        actor=actor,
        action=Action.RECORD_INFORMAL_OUTCOME,
        expected_version=expected_version,
    ) as act:
        errors = Errors()
        if not isinstance(resolved, bool):
            errors.add("resolved", "Say whether the concern was resolved informally.")
        actions = errors.require_text("actions", actions, "the informal actions taken")
        if resolved is False:
            reason = errors.require_text(
                "reason", reason, "the reason informal resolution did not work"
            )
        errors.raise_if_any()
        case = act.case
        case.informal_resolved = resolved
        case.informal_actions = actions
        case.informal_reason = (reason or "").strip()
        if resolved:
            case.outcome = Outcome.RESOLVED_INFORMALLY
        act.reason = case.informal_reason
        act.payload = {"resolved": resolved, "actions": actions}
    return act.case
