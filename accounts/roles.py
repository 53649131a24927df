"""The five roles of the product, held as Django groups.

A role is a group membership. Services ask ``has_role``; the viewflow task
queues ask for the permissions each group carries (see the migration that
creates the groups).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .types import Viewer


class Role(enum.StrEnum):
    MANAGER = "manager"
    HR = "hr"
    PANEL = "panel"
    DECISION_MAKER = "decision_maker"
    GOVERNANCE = "governance"

    @property
    def group_name(self) -> str:
        return GROUP_NAMES[self]


GROUP_NAMES: dict[Role, str] = {
    Role.MANAGER: "Referring manager",
    Role.HR: "HR adviser",
    Role.PANEL: "Panel member",
    Role.DECISION_MAKER: "Decision-maker",
    Role.GOVERNANCE: "Governance viewer",
}
ROLE_BY_GROUP = {name: role for role, name in GROUP_NAMES.items()}

# Permissions each group carries. Viewflow task queues are keyed on these.
GROUP_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.MANAGER: ("workflow.submit_referral",),
    Role.HR: ("workflow.triage_case", "workflow.convene_panel", "workflow.view_ethnicity"),
    Role.PANEL: ("panels.sit_on_panel",),
    Role.DECISION_MAKER: ("workflow.sign_off", "workflow.view_ethnicity"),
    Role.GOVERNANCE: ("workflow.view_governance_reports",),
}

_CACHE_ATTR = "_ftp_roles"


def user_roles(user: Viewer | None) -> frozenset[Role]:
    """The roles a user holds, cached on the user object for the request
    (none for nobody logged in, an inactive user, or no user at all)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        names = user.groups.values_list("name", flat=True)
        cached = frozenset(ROLE_BY_GROUP[n] for n in names if n in ROLE_BY_GROUP)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def roles_load(users: Iterable[Viewer]) -> None:
    """Read the roles of many users in one query and cache them on each, as
    ``user_roles`` would one by one (a list of recipients whose rules each
    ask for their roles costs one query, not one per person)."""
    from django.contrib.auth import get_user_model

    people = [
        u
        for u in users
        if u.is_authenticated and u.is_active and getattr(u, _CACHE_ATTR, None) is None
    ]
    if not people:
        return
    names: dict[int, set[str]] = {u.pk: set() for u in people}
    held = get_user_model().groups.through.objects.filter(user_id__in=list(names))
    for user_id, name in held.values_list("user_id", "group__name"):
        names[user_id].add(name)
    for user in people:
        roles = frozenset(ROLE_BY_GROUP[n] for n in names[user.pk] if n in ROLE_BY_GROUP)
        setattr(user, _CACHE_ATTR, roles)


def has_role(user: Viewer | None, *roles: Role) -> bool:
    """True when the user holds any of ``roles``."""
    return bool(user_roles(user) & set(roles))


def forget_roles(user: Viewer) -> None:
    """Drop the cached roles after group membership changes."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
