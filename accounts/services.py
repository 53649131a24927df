"""Writes about logins: revoking every way a user is logged in.

Adding a user with a role (and linking their employee record) is
``staff.services.user_add``: it needs the staff directory, which sits above
this app."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken


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
