"""Who may be a case's wellbeing contact (docs/wellbeing.md, ADR 0028).

Checked here, in the engine, because triage names the contact
(``case_triage``) and the engine does not import the apps above it; the
wellbeing app's own action (``wellbeing.services.wellbeing_contact_set``)
uses the same check.

The contact is an active HR adviser or decision-maker of the trust: people
who already see the case, so naming a contact widens nobody's sight of it.
Never the referring manager (the employee's wellbeing must not rest with
the person whose referral put them in the process: the 2019 "Learning
lessons" letter) and never the employee themself.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from accounts.roles import Role, has_role

from ..models import Case, TriageRoute

NOT_ELIGIBLE = "The wellbeing contact must be an HR adviser or decision-maker of this trust."
NOT_REFERRER = (
    "The referring manager cannot be the employee's wellbeing contact: "
    "name someone independent of the referral."
)
NOT_EMPLOYEE = "The employee cannot be their own wellbeing contact."


def contact_problem(case: Case, user: Any) -> str | None:
    """Why ``user`` cannot be ``case``'s wellbeing contact, or None."""
    if user is None or not user.is_active or not has_role(user, Role.HR, Role.DECISION_MAKER):
        return NOT_ELIGIBLE
    if user.pk == case.referring_manager_id:
        return NOT_REFERRER
    employee = case.employee
    if employee is not None and employee.user_id is not None and employee.user_id == user.pk:
        return NOT_EMPLOYEE
    return None


def contact_user(user_id: int | None) -> Any:
    """The user with ``user_id``, or None (an unknown id is refused as ineligible)."""
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id).first()


def contact_after_triage(case: Case, route: str, named: Any) -> Any:
    """The contact a case has after triage: the one named (already checked),
    else the one it had, else, for a case staying in the process (informal
    or panel), its owner: an HR adviser who did not refer it, unless the
    case is about them. None when nobody fits."""
    if named is not None:
        return named
    if case.wellbeing_contact_id is not None:
        return case.wellbeing_contact
    if route in (TriageRoute.INFORMAL, TriageRoute.PANEL) and not contact_problem(case, case.owner):
        return case.owner
    return None
