"""The roles of the product, held per trust.

A role is a membership: ``accounts.Membership`` (user, trust, role). A person
holds roles in each trust they work for, and only the roles of the trust they
act for count (``tenancy.context``). Services ask ``has_role``; the viewflow
task queues ask for the permissions each role carries
(``accounts.backends.RolePermissionBackend``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from tenancy.context import current_trust_id

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from .types import Viewer


class Role(enum.StrEnum):
    MANAGER = "manager"
    HR = "hr"
    PANEL = "panel"
    DECISION_MAKER = "decision_maker"
    GOVERNANCE = "governance"
    # Any member of staff: may raise a Freedom to Speak Up concern (speakup/).
    STAFF = "staff"
    # The trust's Freedom to Speak Up guardians: the only role that sees concerns.
    FTSU_GUARDIAN = "ftsu_guardian"
    # Reassigns HR case owners (one case, or all of a leaver's) and sets an
    # out-of-office delegation for someone suddenly absent (docs/case-owners.md).
    HR_LEAD = "hr_lead"

    @property
    def label(self) -> str:
        return GROUP_NAMES[self]

    @property
    def group_name(self) -> str:
        return GROUP_NAMES[self]


# What each role is called on pages (the names of the Django groups that held
# the roles before trusts: accounts/migrations/0002).
GROUP_NAMES: dict[Role, str] = {
    Role.MANAGER: "Referring manager",
    Role.HR: "HR adviser",
    Role.PANEL: "Panel member",
    Role.DECISION_MAKER: "Decision-maker",
    Role.GOVERNANCE: "Governance viewer",
    Role.STAFF: "Member of staff",
    Role.FTSU_GUARDIAN: "Freedom to Speak Up guardian",
    Role.HR_LEAD: "HR lead",
}
ROLE_BY_GROUP = {name: role for role, name in GROUP_NAMES.items()}

# Permissions each group carries. Viewflow task queues are keyed on these.
GROUP_PERMISSIONS: dict[Role, tuple[str, ...]] = {
    Role.MANAGER: ("workflow.submit_referral",),
    Role.HR: ("workflow.triage_case", "workflow.convene_panel", "workflow.view_ethnicity"),
    Role.PANEL: ("panels.sit_on_panel",),
    Role.DECISION_MAKER: ("workflow.sign_off", "workflow.view_ethnicity"),
    Role.GOVERNANCE: ("workflow.view_governance_reports",),
    # Speaking up is no part of the case engine: these roles open no task queue.
    Role.STAFF: (),
    Role.FTSU_GUARDIAN: (),
    # Manages owners and delegations; acting on cases needs the HR adviser role.
    Role.HR_LEAD: (),
}

_CACHE_ATTR = "_ftp_roles"


def _cache(user: Viewer) -> dict[int | None, frozenset[Role]]:
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = {}
        setattr(user, _CACHE_ATTR, cached)
    return cached


def user_roles(user: Viewer | None) -> frozenset[Role]:
    """The roles a user holds in the trust being acted for, cached on the
    user object (none for nobody logged in, an inactive user, no user at all,
    or outside any trust)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    trust_id = current_trust_id()
    if trust_id is None:
        return frozenset()
    cache = _cache(user)
    if trust_id not in cache:
        from .models import Membership

        values = Membership.objects.filter(user_id=user.pk, trust_id=trust_id).values_list(
            "role", flat=True
        )
        cache[trust_id] = frozenset(Role(v) for v in values)
    return cache[trust_id]


def roles_load(users: Iterable[Viewer]) -> None:
    """Read the roles of many users in one query and cache them on each, as
    ``user_roles`` would one by one (a list of recipients whose rules each
    ask for their roles costs one query, not one per person)."""
    from .models import Membership

    trust_id = current_trust_id()
    people = [u for u in users if u.is_authenticated and u.is_active and trust_id not in _cache(u)]
    if not people or trust_id is None:
        return
    held: dict[int, set[Role]] = {u.pk: set() for u in people}
    rows = Membership.objects.filter(user_id__in=list(held), trust_id=trust_id)
    for user_id, value in rows.values_list("user_id", "role"):
        held[user_id].add(Role(value))
    for user in people:
        _cache(user)[trust_id] = frozenset(held[user.pk])


def has_role(user: Viewer | None, *roles: Role) -> bool:
    """True when the user holds any of ``roles`` in the trust being acted for."""
    return bool(user_roles(user) & set(roles))


def forget_roles(user: Viewer) -> None:
    """Drop the cached roles after memberships change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def holders(role: Role) -> QuerySet[Any]:
    """The active users holding ``role`` in the trust being acted for (a
    queryset; empty outside any trust)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    trust_id = current_trust_id()
    if trust_id is None:
        return users.none()
    return users.filter(
        is_active=True, memberships__role=role.value, memberships__trust_id=trust_id
    )


def permissions_of(roles: Iterable[Role]) -> frozenset[str]:
    """The Django permissions (app_label.codename) the roles carry."""
    return frozenset(p for role in roles for p in GROUP_PERMISSIONS[role])
