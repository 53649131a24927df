"""Writes about logins: revoking every way a user is logged in.

Adding a user with a role (and linking their employee record) is
``staff.services.user_add``: it needs the staff directory, which sits above
this app."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from tenancy.context import trust_id_required

from .models import Membership
from .roles import Role, forget_roles


@transaction.atomic
def user_logins_revoke(*, user_id: int) -> tuple[int, int]:
    """End every way ``user_id`` is logged in: delete their API tokens and their sessions.

    Called when their password changes or they are deactivated
    (``accounts/signals.py``), inside the transaction that saves the user, so
    a save that rolls back keeps them. Returns (tokens, sessions) deleted.

    Sessions are found only in a database-backed session store; with any other
    store Django still refuses a session after a password change (its auth
    hash no longer matches) or once the user is inactive.
    """
    tokens, _ = AuthToken.objects.filter(user_id=user_id).delete()
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    if not issubclass(store_class, DatabaseSessionStore):
        return tokens, 0
    model = store_class.get_model_class()
    theirs = [
        row.session_key
        for row in model.objects.filter(expire_date__gt=timezone.now()).iterator()
        if store_class().decode(row.session_data).get(SESSION_KEY) == str(user_id)
    ]
    for key in theirs:
        store_class(session_key=key).delete()
    return tokens, len(theirs)


def role_give(*, user: Any, role: Role) -> bool:
    """Give ``user`` ``role`` in the trust being acted for. True when new."""
    _, created = Membership.objects.get_or_create(
        user_id=user.pk, trust_id=trust_id_required(), role=role.value
    )
    forget_roles(user)
    return created


def roles_take(*, user: Any, roles: frozenset[Role]) -> int:
    """Take ``roles`` from ``user`` in the trust being acted for; how many went."""
    taken, _ = Membership.objects.filter(
        user_id=user.pk, trust_id=trust_id_required(), role__in=[r.value for r in roles]
    ).delete()
    forget_roles(user)
    return taken


def user_trust_ids(user: Any) -> list[int]:
    """The trusts ``user`` holds any role in, in the order they were joined."""
    from tenancy.models import Trust

    if getattr(user, "is_superuser", False):
        return list(Trust.objects.order_by("pk").values_list("pk", flat=True))
    return list(
        Membership.objects.filter(user_id=user.pk)
        .order_by("trust_id")
        .values_list("trust_id", flat=True)
        .distinct()
    )
