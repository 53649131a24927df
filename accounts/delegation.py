"""Out-of-office delegations: whose work a person covers today, and who covers whom.

A delegation (``accounts.models.Delegation``) lets its delegate see and act
on the absent person's work while it runs (docs/case-owners.md). The rules
that use it live where the rules live (``workflow.access``, the engine);
this module only answers two questions, each in one query:

* ``delegated_to(user)``: the people ``user`` covers today, with the roles
  of theirs the delegate may use (those both hold: a delegate who has since
  lost a role cannot act in it for anyone). Cached on the user object, like
  ``accounts.roles`` caches roles, so the access rules can ask it on every
  row of a list for the price of one query per request.
* ``delegate_of(user_id, day)``: who covers ``user_id`` on ``day`` (the
  reminders follow the delegate).

Never a chain: the delegate of a delegate is not followed, so who acts for
whom is always one hop, and nobody can hand on work they were handed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from tenancy.context import current_trust_id

from .roles import Role, user_roles

if TYPE_CHECKING:
    from .types import Viewer

# The roles that carry work someone else can cover. HR lead, governance, staff
# and guardian roles open no task, so they are never delegated.
TASK_ROLES = frozenset({Role.MANAGER, Role.HR, Role.PANEL, Role.DECISION_MAKER})

_CACHE_ATTR = "_ftp_delegators"


def active_on(day: dt.date) -> Q:
    """Delegations running on ``day`` (and not ended early)."""
    return Q(starts_on__lte=day, ends_on__gte=day, ended_at__isnull=True)


def _delegations() -> QuerySet[Any]:
    from .models import Delegation

    return Delegation.objects.all()


def delegated_to(user: Viewer | None) -> Mapping[int, frozenset[Role]]:
    """The people ``user`` covers today (by id), each with the task roles of
    theirs the delegate may use. One query, cached on the user object per
    trust and day; empty for nobody logged in or outside any trust."""
    if user is None or not user.is_authenticated or not user.is_active:
        return {}
    trust_id = current_trust_id()
    if trust_id is None:
        return {}
    today = timezone.localdate()
    cache: dict[tuple[int, dt.date], Mapping[int, frozenset[Role]]] = (
        getattr(user, _CACHE_ATTR, None) or {}
    )
    key = (trust_id, today)
    if key not in cache:
        cache[key] = _load(user, trust_id, today)
        setattr(user, _CACHE_ATTR, cache)
    return cache[key]


def _load(user: Viewer, trust_id: int, today: dt.date) -> Mapping[int, frozenset[Role]]:
    from .models import Membership

    persons = _delegations().filter(active_on(today), delegate_id=user.pk).values("person_id")
    rows = Membership.objects.filter(
        trust_id=trust_id, user_id__in=persons, role__in=[r.value for r in TASK_ROLES]
    ).values_list("user_id", "role")
    mine = user_roles(user)
    held: dict[int, set[Role]] = {}
    for person_id, role in rows:
        if Role(role) in mine:
            held.setdefault(person_id, set()).add(Role(role))
    return {pk: frozenset(roles) for pk, roles in held.items()}


def forget_delegations(user: Viewer) -> None:
    """Drop the cached delegations after one changes (the setter's own requests)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def delegators_of(user: Viewer, day: dt.date | None = None) -> list[int]:
    """The ids of the people ``user`` covers on ``day`` (today by default)."""
    if day is None or day == timezone.localdate():
        return sorted(delegated_to(user))
    if not user.is_authenticated:
        return []
    rows = _delegations().filter(active_on(day), delegate_id=user.pk)
    return sorted(rows.values_list("person_id", flat=True))


def delegate_of(user_id: int, day: dt.date | None = None) -> Any:
    """Who covers ``user_id`` on ``day`` (today by default), or None."""
    found = delegates_of([user_id], day)
    return found.get(user_id)


def delegates_of(user_ids: Collection[int], day: dt.date | None = None) -> dict[int, Any]:
    """Who covers each of ``user_ids`` on ``day``, by the person's id: one
    query however many people (a reminder sweep asks for hundreds)."""
    ids = list(user_ids)
    if not ids:
        return {}
    when = day or timezone.localdate()
    rows = (
        _delegations()
        .filter(active_on(when), person_id__in=ids, delegate__is_active=True)
        .select_related("delegate")
        .order_by("person_id", "-starts_on", "-id")
    )
    found: dict[int, Any] = {}
    for row in rows:
        found.setdefault(row.person_id, row.delegate)
    return found


def delegated_people(user: Viewer) -> list[Any]:
    """The people ``user`` covers today, as user rows whose roles (as
    ``user_roles`` answers them) are only those the delegate may use for
    them, so any rule asked about them answers for the delegate's cover.
    No query when ``user`` covers nobody; else one, for the rows."""
    from django.contrib.auth import get_user_model

    from .roles import _cache

    held = delegated_to(user)
    if not held:
        return []
    trust_id = current_trust_id()
    people = list(get_user_model().objects.filter(pk__in=list(held), is_active=True).order_by("pk"))
    for person in people:
        _cache(person)[trust_id] = held[person.pk]
    return people
