"""Who may do what with the self-assessment and action plans, written once.

- HR advisers edit the questions, enter answers (with their evidence) and
  manage the action plans.
- HR, decision-makers and governance viewers read the RAG grid and every
  action (the governance pack shows both).
- Anyone else with a role in the trust sees the actions they own, and
  nothing else here (the overdue reminder links them to that list).
- Governance viewers never see which referring manager an early-warning
  alert is about (units only, as on the early-warning page).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from accounts.roles import Role, has_role, user_roles
from accounts.types import Viewer
from tenancy.context import current_trust_id

MANAGE_REFUSAL = "Only HR advisers edit the self-assessment and the action plans."
READ_REFUSAL = "Only HR, decision-makers and governance viewers see the self-assessment."
# Roles whose holders may own an answer or an action: the trust's managers and
# leaders. Staff who hold only the speak-up role are not offered.
OWNER_ROLES = (Role.MANAGER, Role.HR, Role.PANEL, Role.DECISION_MAKER, Role.GOVERNANCE)


def can_manage(user: Viewer) -> bool:
    return has_role(user, Role.HR)


def can_read_all(user: Viewer) -> bool:
    return has_role(user, Role.HR, Role.DECISION_MAKER, Role.GOVERNANCE)


def can_open_actions(user: Viewer) -> bool:
    """Anyone with a role in the trust: readers see every action, others their own."""
    return bool(user_roles(user))


def sees_managers(user: Viewer) -> bool:
    """Whether a manager-level alert's key (a staff number) is shown."""
    return has_role(user, Role.HR) and not has_role(user, Role.GOVERNANCE)


def owners() -> QuerySet[Any]:
    """The logins that may own an answer or an action in the current trust."""
    trust_id = current_trust_id()
    users = get_user_model().objects
    if trust_id is None:
        return users.none()
    return (
        users.filter(
            is_active=True,
            memberships__trust_id=trust_id,
            memberships__role__in=[r.value for r in OWNER_ROLES],
        )
        .distinct()
        .order_by("username")
    )
